package deployments

import (
	"encoding/json"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// overlays are the kustomizations an operator applies; each renders the base with its changes.
var overlays = []string{"k8s/overlays/production"}

// strictDecoder decodes the built-in kinds into the k8s.io/api types, refusing unknown and
// duplicate fields as `kubectl apply --validate=strict` does.
var strictDecoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme,
		policyv1.AddToScheme, autoscalingv2.AddToScheme, networkingv1.AddToScheme} {
		utilruntime.Must(add(scheme))
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

// cluster is the CloudNativePG Cluster's fields the checks read; the schema validates the rest.
type cluster struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Instances  int `json:"instances"`
		PostgreSQL struct {
			Parameters map[string]string `json:"parameters"`
		} `json:"postgresql"`
		Probes struct {
			Readiness struct {
				Type       string `json:"type"`
				MaximumLag string `json:"maximumLag"`
			} `json:"readiness"`
		} `json:"probes"`
		Bootstrap struct {
			InitDB struct {
				Database string `json:"database"`
				Owner    string `json:"owner"`
			} `json:"initdb"`
		} `json:"bootstrap"`
	} `json:"spec"`
}

// manifests is what a kustomization renders, decoded.
type manifests struct {
	deployments  []*appsv1.Deployment
	services     []*corev1.Service
	ingresses    []*networkingv1.Ingress
	pdbs         []*policyv1.PodDisruptionBudget
	hpas         []*autoscalingv2.HorizontalPodAutoscaler
	configMaps   map[string]*corev1.ConfigMap
	pvcs         map[string]*corev1.PersistentVolumeClaim
	accounts     map[string]*corev1.ServiceAccount
	clusters     []cluster
	clusterYAMLs [][]byte
	raw          map[string][]byte // the rendered YAML by kind
}

// render builds the kustomization in dir as `kubectl apply -k` would, from the files on disk,
// and decodes every object strictly.
func render(t *testing.T, dir string) manifests {
	t.Helper()
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize %s: %v", dir, err)
	}
	m := manifests{configMaps: map[string]*corev1.ConfigMap{}, pvcs: map[string]*corev1.PersistentVolumeClaim{},
		accounts: map[string]*corev1.ServiceAccount{}, raw: map[string][]byte{}}
	for _, r := range resources.Resources() {
		doc, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		gvk := r.GetGvk()
		m.raw[gvk.Kind] = doc
		if gvk.Group == "postgresql.cnpg.io" {
			var c cluster
			if gvk.Kind != "Cluster" || gvk.Version != "v1" {
				t.Fatalf("%s: %s is not validated by this test", dir, gvk)
			}
			if err := yaml.Unmarshal(doc, &c); err != nil {
				t.Fatal(err)
			}
			m.clusters = append(m.clusters, c)
			m.clusterYAMLs = append(m.clusterYAMLs, doc)
			continue
		}
		obj, _, err := strictDecoder.Decode(doc, nil, nil)
		if err != nil {
			t.Fatalf("%s: %s %s: %v", dir, gvk, r.GetName(), err)
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			m.deployments = append(m.deployments, o)
		case *corev1.Service:
			m.services = append(m.services, o)
		case *networkingv1.Ingress:
			m.ingresses = append(m.ingresses, o)
		case *policyv1.PodDisruptionBudget:
			m.pdbs = append(m.pdbs, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			m.hpas = append(m.hpas, o)
		case *corev1.ConfigMap:
			m.configMaps[o.Name] = o
		case *corev1.PersistentVolumeClaim:
			m.pvcs[o.Name] = o
		case *corev1.ServiceAccount:
			m.accounts[o.Name] = o
		case *corev1.Namespace:
		default:
			t.Fatalf("%s: %s %s has no check in this test", dir, gvk, r.GetName())
		}
	}
	for what, n := range map[string]int{"Deployment": len(m.deployments), "Service": len(m.services),
		"Ingress": len(m.ingresses), "PodDisruptionBudget": len(m.pdbs), "HorizontalPodAutoscaler": len(m.hpas),
		"CloudNativePG Cluster": len(m.clusters)} {
		if n != 1 {
			t.Fatalf("%s renders %d objects of kind %s, want 1", dir, n, what)
		}
	}
	return m
}

// clusterSchema is the vendored schema of the CloudNativePG Cluster (testdata/cloudnative-pg),
// closed as the API server closes it: a field the schema does not name is refused (the server
// would prune it, silently dropping the setting), except where the schema says
// x-kubernetes-preserve-unknown-fields.
func clusterSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	data, err := os.ReadFile("testdata/cloudnative-pg/cluster-v1.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s openapi3.Schema
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	closeObjects(&s)
	return &s
}

func closeObjects(s *openapi3.Schema) {
	if s == nil {
		return
	}
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil &&
		s.Extensions["x-kubernetes-preserve-unknown-fields"] != true {
		closed := false
		s.AdditionalProperties.Has = &closed
	}
	refs := []*openapi3.SchemaRef{s.Items, s.AdditionalProperties.Schema, s.Not}
	for _, p := range s.Properties {
		refs = append(refs, p)
	}
	refs = append(append(append(refs, s.AllOf...), s.AnyOf...), s.OneOf...)
	for _, r := range refs {
		if r != nil {
			closeObjects(r.Value)
		}
	}
}

// validateCluster validates one rendered Cluster against the schema.
func validateCluster(schema *openapi3.Schema, doc []byte) error {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return err
	}
	return schema.VisitJSON(v, openapi3.MultiErrors())
}

func TestKubernetesManifests(t *testing.T) {
	known := configVariables(t)
	schema := clusterSchema(t)
	var probePaths []string
	for _, dir := range overlays {
		t.Run(dir, func(t *testing.T) {
			m := render(t, dir)
			for _, doc := range m.clusterYAMLs {
				if err := validateCluster(schema, doc); err != nil {
					t.Fatalf("the CloudNativePG Cluster does not validate: %v", err)
				}
			}
			probePaths = append(probePaths, checkKubernetes(t, m, known)...)
		})
	}
	probesAnswer(t, probePaths)
}

// checkKubernetes checks that the rendered objects fit together and fit tcd, and returns the
// paths the probes ask.
func checkKubernetes(t *testing.T, m manifests, known map[string]bool) []string {
	d, svc, ing, pdb, hpa, db := m.deployments[0], m.services[0], m.ingresses[0], m.pdbs[0], m.hpas[0], m.clusters[0]
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("the pod has %d containers, want tcd alone", len(pod.Containers))
	}
	c := pod.Containers[0]

	// The image: a release's tag, run as built (its entrypoint is `tcd serve`).
	if name, tag, ok := strings.Cut(path.Base(c.Image), ":"); !ok || tag == "" || tag == "latest" || name == "" {
		t.Errorf("image %q: name a release's tag (a restart must not change the binary)", c.Image)
	}
	if len(c.Command) > 0 || len(c.Args) > 0 {
		t.Errorf("the container overrides the image's entrypoint (/tcd serve): command %q args %q", c.Command, c.Args)
	}

	// The settings: every name one tcd reads, every value one it accepts.
	env := map[string]string{}
	secretEnv := map[string]bool{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			t.Fatalf("envFrom %+v: only ConfigMaps are checked", from)
		}
		cm := m.configMaps[from.ConfigMapRef.Name]
		if cm == nil {
			t.Fatalf("envFrom names ConfigMap %q, which is not rendered", from.ConfigMapRef.Name)
		}
		for k, v := range cm.Data {
			env[k] = v
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name], secretEnv[e.Name] = "", true
		default:
			t.Fatalf("env %s: only values and Secret references are checked", e.Name)
		}
	}
	checkNames(t, "the Deployment", env, known)
	cfg := checkValues(t, "the Deployment", env, known)

	// The port: the one tcd listens on, named by the probes and the Service.
	port := addrPort(t, cfg.Addr)
	var http *corev1.ContainerPort
	for i := range c.Ports {
		if c.Ports[i].Name == "http" {
			http = &c.Ports[i]
		}
	}
	if http == nil || int(http.ContainerPort) != port {
		t.Fatalf("the container's port named http is %+v, tcd listens on %d (TCD_ADDR %q)", http, port, cfg.Addr)
	}
	var paths []string
	for what, want := range map[string]struct {
		probe *corev1.Probe
		path  string
	}{"startup": {c.StartupProbe, "/healthz"}, "liveness": {c.LivenessProbe, "/healthz"}, "readiness": {c.ReadinessProbe, "/readyz"}} {
		p := want.probe
		if p == nil || p.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", what)
			continue
		}
		// liveness must not restart a pod whose database is away (/readyz answers 503 then and the
		// pod recovers by itself); readiness must stop traffic to it
		if p.HTTPGet.Path != want.path {
			t.Errorf("the %s probe asks %s, want %s", what, p.HTTPGet.Path, want.path)
		}
		if p.HTTPGet.Port.String() != http.Name && p.HTTPGet.Port.IntValue() != port {
			t.Errorf("the %s probe asks port %s, tcd listens on %s (%d)", what, p.HTTPGet.Port.String(), http.Name, port)
		}
		paths = append(paths, p.HTTPGet.Path)
	}
	if s := c.StartupProbe; s != nil && int(s.PeriodSeconds*s.FailureThreshold) < 120 {
		t.Errorf("the startup probe gives the start %d s; migrating and re-indexing duplicate search may take minutes",
			s.PeriodSeconds*s.FailureThreshold)
	}

	// Security: the image's non-root user, nothing writable but the volumes.
	uid := imageUser(t)
	psc, sc := pod.SecurityContext, c.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != uid {
		t.Errorf("the pod must run as non-root, as the image's user %d: %+v", uid, psc)
	}
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
		t.Errorf("the container must have a read-only root, no privilege escalation and no capabilities: %+v", sc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("tcd never calls the Kubernetes API: its pods need no service account token")
	}
	if m.accounts[pod.ServiceAccountName] == nil {
		t.Errorf("the pod's service account %q is not rendered", pod.ServiceAccountName)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounted := func(dir string) *corev1.VolumeMount {
		for i, vm := range c.VolumeMounts {
			if dir == vm.MountPath || strings.HasPrefix(dir, strings.TrimSuffix(vm.MountPath, "/")+"/") {
				return &c.VolumeMounts[i]
			}
		}
		return nil
	}
	written := map[string]string{"/tmp": "imports spool their uploads"}
	if cfg.ExportSchedule != "" {
		written[cfg.ExportDir] = "the scheduled exports"
	}
	if cfg.BlobURL != "" {
		if u, err := url.Parse(cfg.BlobURL); err == nil && u.Scheme == "file" {
			written[u.Path] = "the attachments"
		}
	}
	for dir, what := range written {
		vm := mounted(dir)
		if vm == nil || vm.ReadOnly {
			t.Errorf("%s (%s) is not on a writable volume, and the root file system is read-only", dir, what)
			continue
		}
		// shared by every pod where more than one pod writes or reads it
		if dir != "/tmp" {
			claim := volumes[vm.Name].PersistentVolumeClaim
			if claim == nil || m.pvcs[claim.ClaimName] == nil ||
				len(m.pvcs[claim.ClaimName].Spec.AccessModes) != 1 || m.pvcs[claim.ClaimName].Spec.AccessModes[0] != corev1.ReadWriteMany {
				t.Errorf("%s (%s) must be on a ReadWriteMany claim that every pod mounts", dir, what)
			}
		}
	}

	// Resources: the heap's soft limit under the container's memory limit.
	mem := c.Resources.Limits.Memory()
	if c.Resources.Requests.Cpu().IsZero() || mem.IsZero() || c.Resources.Requests.Memory().Cmp(*mem) != 0 {
		t.Errorf("resources %+v: a CPU request (the autoscaler's base), and memory requested as limited", c.Resources)
	}
	if cfg.MemoryLimit == 0 || cfg.MemoryLimit >= mem.Value()*9/10 {
		t.Errorf("TCD_MEMORY_LIMIT %d bytes must leave a tenth of the container's %s for what is not heap", cfg.MemoryLimit, mem)
	}

	// The database: writes to the CloudNativePG primary's service, the password from its Secret,
	// TLS checked against its CA, as the owner it bootstraps.
	if db.Spec.Instances != 3 {
		t.Errorf("the database cluster has %d instances, want 3 (a primary and two standbys)", db.Spec.Instances)
	}
	checkClusterURL(t, "TCD_DATABASE_URL", cfg.DatabaseURL, db, "-rw", mounted)
	if v, ok := env["TCD_DATABASE_REPLICA_URLS"]; ok {
		for _, u := range strings.Split(v, ",") {
			checkClusterURL(t, "TCD_DATABASE_REPLICA_URLS", strings.TrimSpace(u), db, "-ro", mounted)
		}
		// the -ro Service hides which standby a connection reaches: the operator must take a
		// lagging one out of it
		if r := db.Spec.Probes.Readiness; r.Type != "streaming" || r.MaximumLag == "" {
			t.Errorf("reads go to %s-ro, but a standby's readiness ignores its lag (%+v)", db.Metadata.Name, r)
		}
	}
	if !secretEnv["PGPASSWORD"] {
		t.Error("PGPASSWORD must come from the operator's Secret")
	}
	for _, e := range c.Env {
		if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef.Name != db.Metadata.Name+"-app" {
			t.Errorf("env %s reads Secret %s; the cluster's owner credentials are in %s-app", e.Name, ref.SecretKeyRef.Name, db.Metadata.Name)
		}
	}
	maxConns, err := strconv.Atoi(db.Spec.PostgreSQL.Parameters["max_connections"])
	if err != nil {
		t.Fatalf("the database's max_connections: %v", err)
	}

	// Scaling: the autoscaler owns the count, within what the database and the budget allow.
	if d.Spec.Replicas != nil {
		t.Errorf("the Deployment sets replicas (%d): each apply would undo the autoscaler's count", *d.Spec.Replicas)
	}
	if ref := hpa.Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != d.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("the autoscaler scales %+v, not the Deployment %s", ref, d.Name)
	}
	minReplicas := int32(1)
	if hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}
	if minReplicas < 2 {
		t.Errorf("the autoscaler may leave %d pod: a restart or an eviction would stop the service", minReplicas)
	}
	if n := int(hpa.Spec.MaxReplicas) * cfg.DBMaxOpenConns; n >= maxConns {
		t.Errorf("%d pods x TCD_DB_MAX_CONNS %d = %d connections, the database takes %d", hpa.Spec.MaxReplicas, cfg.DBMaxOpenConns, n, maxConns)
	}
	cpuTarget := false
	for _, metric := range hpa.Spec.Metrics {
		if r := metric.Resource; r != nil && r.Name == corev1.ResourceCPU && r.Target.AverageUtilization != nil {
			cpuTarget = *r.Target.AverageUtilization > 0 && *r.Target.AverageUtilization < 100
		}
	}
	if !cpuTarget {
		t.Error("the autoscaler needs a CPU utilisation target below 100 % of the request")
	}
	if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() < 1 || pdb.Spec.MaxUnavailable.IntValue() >= int(minReplicas) {
		t.Errorf("the disruption budget %+v must let a drain evict a pod, and never all of the autoscaler's minimum %d", pdb.Spec, minReplicas)
	}

	// Routing: the Service, the budget and the Ingress reach the Deployment's pods on tcd's port.
	podLabels := d.Spec.Template.Labels
	selects := func(selector map[string]string) bool {
		for k, v := range selector {
			if podLabels[k] != v {
				return false
			}
		}
		return len(selector) > 0
	}
	if !selects(svc.Spec.Selector) {
		t.Errorf("the Service selects %v, the pods carry %v", svc.Spec.Selector, podLabels)
	}
	if pdb.Spec.Selector == nil || !selects(pdb.Spec.Selector.MatchLabels) {
		t.Errorf("the disruption budget selects %v, the pods carry %v", pdb.Spec.Selector, podLabels)
	}
	if !selects(d.Spec.Selector.MatchLabels) {
		t.Errorf("the Deployment selects %v, its pods carry %v", d.Spec.Selector.MatchLabels, podLabels)
	}
	servicePorts := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		if p.TargetPort.String() != http.Name && p.TargetPort.IntValue() != port {
			t.Errorf("the Service's port %s sends to %s, tcd listens on %s (%d)", p.Name, p.TargetPort.String(), http.Name, port)
		}
		servicePorts[p.Name], servicePorts[strconv.Itoa(int(p.Port))] = true, true
	}
	if len(ing.Spec.TLS) == 0 {
		t.Error("the Ingress has no TLS: the session cookie is Secure, browsers would not send it")
	}
	for _, rule := range ing.Spec.Rules {
		for _, p := range rule.HTTP.Paths {
			b := p.Backend.Service
			if b == nil || b.Name != svc.Name || !(servicePorts[b.Port.Name] || servicePorts[strconv.Itoa(int(b.Port.Number))]) {
				t.Errorf("the Ingress rule %s%s sends to %+v, not to the Service %s", rule.Host, p.Path, b, svc.Name)
			}
		}
	}
	return paths
}

// checkClusterURL checks a database URL: the CloudNativePG service of the wanted role, the
// database and owner it bootstraps, no password in the URL, and TLS verified against a CA file
// mounted from the cluster's CA Secret.
func checkClusterURL(t *testing.T, name, raw string, db cluster, service string, mounted func(string) *corev1.VolumeMount) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if want := db.Metadata.Name + service; u.Hostname() != want {
		t.Errorf("%s names host %s, want the cluster's %s service", name, u.Hostname(), want)
	}
	if _, has := u.User.Password(); has {
		t.Errorf("%s carries a password: it belongs in the Secret", name)
	}
	init := db.Spec.Bootstrap.InitDB
	if u.User.Username() != init.Owner || strings.TrimPrefix(u.Path, "/") != init.Database {
		t.Errorf("%s connects as %s to %s; the cluster bootstraps %s owned by %s", name, u.User.Username(), u.Path, init.Database, init.Owner)
	}
	q := u.Query()
	if q.Get("sslmode") != "verify-full" {
		t.Errorf("%s: sslmode=%s, want verify-full", name, q.Get("sslmode"))
	}
	if vm := mounted(q.Get("sslrootcert")); vm == nil {
		t.Errorf("%s: sslrootcert %q is on no volume", name, q.Get("sslrootcert"))
	}
}

// imageUser is the user id the image runs as: deployments/Dockerfile's final USER, distroless's
// nonroot (65532), which is also the owner it gives the data directory.
func imageUser(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	users := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(string(data), -1)
	if len(users) == 0 {
		t.Fatal("the Dockerfile sets no USER: the image would run as root")
	}
	user, _, _ := strings.Cut(users[len(users)-1][1], ":")
	if user != "nonroot" && user != "65532" {
		t.Fatalf("the image's USER is %q; this test knows distroless's nonroot (65532)", user)
	}
	if !strings.Contains(string(data), "--chown=65532:65532") {
		t.Fatal("the Dockerfile no longer gives the data directory to 65532")
	}
	return 65532
}

// TestManifestValidationRefuses makes sure the validation above can fail: a misspelt field in a
// built-in kind, and in the Cluster, a misspelt field and a wrong type, are refused.
func TestManifestValidationRefuses(t *testing.T) {
	m := render(t, overlays[0])
	for _, change := range [][2]string{{"readinessProbe:", "readynessProbe:"}, {"containerPort: 8080", "containerPort: http"}} {
		doc := string(m.raw["Deployment"])
		if !strings.Contains(doc, change[0]) {
			t.Fatalf("the Deployment no longer has %q", change[0])
		}
		if _, _, err := strictDecoder.Decode([]byte(strings.Replace(doc, change[0], change[1], 1)), nil, nil); err == nil {
			t.Errorf("the Deployment with %q for %q was accepted", change[1], change[0])
		}
	}
	schema := clusterSchema(t)
	for _, change := range [][2]string{{"instances: 3", "instance: 3"}, {"instances: 3", "instances: three"},
		{"method: any", "method: most"}, {"enablePodAntiAffinity: true", "enablePodAntiAffinty: true"}} {
		doc := string(m.clusterYAMLs[0])
		if !strings.Contains(doc, change[0]) {
			t.Fatalf("the Cluster no longer has %q", change[0])
		}
		if err := validateCluster(schema, []byte(strings.Replace(doc, change[0], change[1], 1))); err == nil {
			t.Errorf("the Cluster with %q for %q was accepted", change[1], change[0])
		}
	}
}
