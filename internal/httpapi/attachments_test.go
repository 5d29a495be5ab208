package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tcd-registry/tcd/internal/apiclient"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/testenv"
)

// noise is an image of random pixels, which PNG cannot shrink: w×h×3 bytes or so.
func noise(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.UintN(256))
	}
	return img
}

func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts content to a case's attachments as the part "file" named name, declared as
// declared.
func upload(c *testenv.Client, casePath, name, declared string, content []byte) *testenv.Response {
	return postFile(c, casePath+"/attachments", name, declared, content)
}

// postFile posts content as the multipart part "file" named name, declared as declared.
func postFile(c *testenv.Client, path, name, declared string, content []byte) *testenv.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + name + `"`}
	h["Content-Type"] = []string{declared}
	part, _ := mw.CreatePart(h)
	part.Write(content)
	mw.Close()
	return c.Do(http.MethodPost, path, body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// storedFiles counts the files in the attachment folder.
// attached is the attachment an upload answered with 201; any other answer fails the test.
func attached(t *testing.T, r *testenv.Response) apiclient.RegistryAttachment {
	t.Helper()
	if r.Status != http.StatusCreated {
		t.Fatalf("upload: %s", r)
	}
	return testenv.Decode[apiclient.RegistryAttachment](t, r)
}

func storedFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAttachmentsRoundTripByteForByteAndRefuseWhatTheyMayNotHold(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		const limit = 400 << 10
		env := testenv.Start(t, backend, func(c *config.Config) { c.AttachmentMax = limit })
		staff := env.As(auth.Staff)
		kase := "/api/v1/cases/" + newCase(staff, "Khiếu nại về bồi thường đất")

		var jpg bytes.Buffer
		if err := jpeg.Encode(&jpg, noise(120, 80), nil); err != nil {
			t.Fatal(err)
		}
		files := []struct {
			name, declared, want string
			content              []byte
		}{
			{"Đơn khiếu nại (bản quét).png", "image/png", "image/png", pngOf(t, noise(200, 200))}, // ~120 KB
			{"ảnh hiện trường.jpg", "application/octet-stream", "image/jpeg", jpg.Bytes()},
			{`C:\scans\quyet-dinh.pdf`, "application/pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")},
		}
		for _, f := range files {
			a := attached(t, upload(staff, kase, f.name, f.declared, f.content))
			sum := sha256.Sum256(f.content)
			if orZero(a.ContentType) != f.want || orZero(a.Size) != len(f.content) || orZero(a.Sha256) != hex.EncodeToString(sum[:]) {
				t.Errorf("%s: the record says %+v", f.name, a)
			}
			got := staff.Get("/api/v1/attachments/" + orZero(a.ID) + "/file")
			if got.Status != http.StatusOK || !bytes.Equal(got.Body, f.content) || got.Header.Get("Content-Type") != f.want {
				t.Errorf("%s: read back %d bytes as %q (%s), want the %d bytes sent", f.name, len(got.Body), got.Header.Get("Content-Type"), got, len(f.content))
			}
		}
		listed := testenv.ListAllAs[apiclient.RegistryAttachment](staff, kase+"/attachments", 50)
		if len(listed) != 3 || orZero(listed[2].FileName) != "Đơn khiếu nại (bản quét).png" || orZero(listed[0].FileName) != "quyet-dinh.pdf" {
			t.Fatalf("the case's attachments, newest first, by the names given (their base): %+v", listed)
		}
		reads := testenv.ListAllAs[apiclient.AuditEntry](env.As(auth.Admin), "/api/v1/audit?entity=attachment&entity_id="+orZero(listed[0].ID), 50)
		if len(reads) != 2 || reads[0].Action != "read" || reads[1].Action != "create" {
			t.Errorf("storing and reading a file are audited: %+v", reads)
		}

		dir := env.App.Config.AttachmentDir
		before := storedFiles(t, dir)
		refused := []struct {
			name   string
			r      *testenv.Response
			status int
			field  string
		}{
			{"text named .pdf", upload(staff, kase, "don.pdf", "application/pdf", []byte("Kính gửi: Ủy ban nhân dân huyện")), http.StatusUnprocessableEntity, "file"},
			{"a zip", upload(staff, kase, "scan.png", "image/png", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")), http.StatusUnprocessableEntity, "file"},
			{"empty", upload(staff, kase, "empty.png", "image/png", nil), http.StatusUnprocessableEntity, "file"},
			{"oversized", upload(staff, kase, "big.png", "image/png", pngOf(t, noise(400, 400))), http.StatusRequestEntityTooLarge, ""},
			{"not multipart", staff.Post(kase+"/attachments", map[string]any{"file": "x"}), http.StatusBadRequest, ""},
		}
		for _, c := range refused {
			if c.r.Status != c.status || !c.r.IsProblem() || (c.field != "" && !c.r.HasFieldError(c.field)) {
				t.Errorf("%s: want %d naming %q, got %s", c.name, c.status, c.field, c.r)
			}
		}
		if after := storedFiles(t, dir); after != before {
			t.Errorf("refused files left %d files in the store", after-before)
		}
		if got := testenv.ListAllAs[apiclient.RegistryAttachment](staff, kase+"/attachments", 50); len(got) != 3 {
			t.Errorf("refused files are not recorded: %+v", got)
		}

		// voided, never deleted: the record and its bytes stay readable with include_voided
		id := orZero(listed[2].ID)
		if r := staff.Delete("/api/v1/attachments/" + id); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("voiding needs a reason: %s", r)
		}
		if r := staff.Delete("/api/v1/attachments/" + id + "?reason=" + urlQuery("Quét nhầm hồ sơ")); r.Status != http.StatusOK {
			t.Fatal(r)
		}
		if r := staff.Get("/api/v1/attachments/" + id + "/file"); r.Status != http.StatusNotFound {
			t.Errorf("a voided attachment is not read by default: %s", r)
		}
		if r := staff.Get("/api/v1/attachments/" + id + "/file?include_voided=true"); r.Status != http.StatusOK || !bytes.Equal(r.Body, files[0].content) {
			t.Errorf("a voided attachment keeps its file: %s", r)
		}
		if got := staff.ListAll(kase+"/attachments", 50); len(got) != 2 {
			t.Errorf("a voided attachment leaves the list: %v", got)
		}
		if r := env.As(auth.Agency).Get(kase + "/attachments"); r.Status != http.StatusForbidden {
			t.Errorf("the agency role reads no files: %s", r)
		}
	})
}

// A file is streamed to the store as it arrives: uploading one of 24 MB allocates far less than
// 24 MB in the whole process (the server runs in the test's process).
func TestAttachmentsAreStreamedNotHeld(t *testing.T) {
	// not in parallel: the allocations it measures are the whole process's
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		const size = 24 << 20
		env := testenv.Start(t, backend, func(c *config.Config) { c.AttachmentMax = 32 << 20 })
		staff := env.Token(auth.Staff, "")
		kase := newCase(env.Client(staff), "Tố cáo kèm video")

		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			part, _ := mw.CreateFormFile("file", "ho-so.png")
			part.Write([]byte("\x89PNG\r\n\x1a\n"))
			chunk := make([]byte, 64<<10)
			for sent := 8; sent < size; sent += len(chunk) {
				part.Write(chunk[:min(len(chunk), size-sent)])
			}
			mw.Close()
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, env.BaseURL+"/api/v1/cases/"+kase+"/attachments", pr)
		req.Header.Set("Authorization", "Bearer "+staff)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		runtime.ReadMemStats(&m1)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
		if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > size/3 {
			t.Errorf("storing a %d MB file allocated %d MB", size>>20, alloc>>20)
		}
	})
}

// Attachments follow their case: out of scope they do not exist, and those of a denunciation
// are kept from whoever may not know its denouncers.
func TestAttachmentsFollowTheirCasesSecrecyAndScope(t *testing.T) {
	t.Parallel()
	testenv.ForEachBackend(t, func(t *testing.T, backend string) {
		env := testenv.Start(t, backend)
		orgTree(t, env)
		staffA := env.Client(env.Token(auth.Staff, "A"))
		denunciation := "/api/v1/cases/" + citizenVisit(staffA, "denunciation").CaseID
		complaint := "/api/v1/cases/" + citizenVisit(staffA, "complaint").CaseID
		scan := pngOf(t, noise(20, 20))
		secret := orZero(attached(t, upload(staffA, denunciation, "don-to-cao.png", "image/png", scan)).ID)
		open := orZero(attached(t, upload(staffA, complaint, "don-khieu-nai.png", "image/png", scan)).ID)
		if secret == "" || open == "" {
			t.Fatalf("the staff of A attach files to their cases: %q %q", secret, open)
		}
		if r := env.As(auth.Admin).Get("/api/v1/attachments/" + secret + "/file"); r.Status != http.StatusOK {
			t.Errorf("an admin reads the denunciation's scan: %s", r)
		}
		parent := env.Client(env.Token(auth.Staff, "TCD"))
		if r := parent.Get("/api/v1/attachments/" + open + "/file"); r.Status != http.StatusOK || !bytes.Equal(r.Body, scan) {
			t.Errorf("the parent's staff read a complaint's scan: %s", r)
		}
		for who, c := range map[string]*testenv.Client{
			"staff of the parent":          parent,
			"unscoped staff (default org)": env.As(auth.Staff),
			"auditor":                      env.As(auth.Auditor),
		} {
			for _, p := range []string{"/api/v1/attachments/" + secret, "/api/v1/attachments/" + secret + "/file"} {
				if r := c.Get(p); r.Status != http.StatusNotFound {
					t.Errorf("%s reads %s: %s", who, p, r)
				}
			}
			if got := testenv.ListAllAs[apiclient.RegistryAttachment](c, denunciation+"/attachments", 50); len(got) != 0 {
				t.Errorf("%s lists the denunciation's files: %+v", who, got)
			}
		}
		if r := upload(parent, denunciation, "them.png", "image/png", scan); r.Status != http.StatusNotFound {
			t.Errorf("the parent's staff attach a file to a denunciation they may not see the files of: %s", r)
		}
		staffB := env.Client(env.Token(auth.Staff, "B"))
		for _, p := range []string{"/api/v1/attachments/" + open + "/file", complaint + "/attachments"} {
			if r := staffB.Get(p); r.Status != http.StatusNotFound {
				t.Errorf("the staff of B read A's %s: %s", p, r)
			}
		}
		if r := upload(staffB, complaint, "x.png", "image/png", scan); r.Status != http.StatusNotFound {
			t.Errorf("the staff of B attach a file to A's case: %s", r)
		}
	})
}
