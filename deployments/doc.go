// Package deployments holds no code: it is where the tests of the deployment files beside it
// (Compose, Kubernetes) live. They render and validate those files without a network, and the
// libraries they need (kustomize, the Kubernetes API types, compose-go) stay out of the binary.
package deployments
