package main

import (
	"strings"
	"testing"
)

func TestSyncWritesEnumsFromTheVocabulary(t *testing.T) {
	src := "package p\n\ntype T struct {\n" +
		"\tA string `json:\"a\" vocab:\"case.status\" enums:\"open\"` // stale\n" +
		"\tB string `json:\"b\" validate:\"omitempty,vocab\" vocab:\"session.kind\"` // none yet\n" +
		"\tC string `json:\"c\" enums:\"x,y\"`\n" +
		"}\n\n" +
		"// h godoc\n" +
		"// @Param status query string false \"status\" Enums(open) Extensions(x-vocab=case.status)\n" +
		"// @Param kind query string false \"kind\" Extensions(x-vocab=session.kind)\n" +
		"// @Param format query string false \"format\" Enums(json, csv)\n" +
		"func h() {}\n"
	out, err := syncSource("p.go", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"`json:\"a\" vocab:\"case.status\" enums:\"open,resolved,closed\"`",
		"`json:\"b\" validate:\"omitempty,vocab\" vocab:\"session.kind\" enums:\"regular,periodic,urgent\"`",
		"`json:\"c\" enums:\"x,y\"`", // no vocabulary key: left alone
		"Enums(open, resolved, closed) Extensions(x-vocab=case.status)",
		"Enums(regular, periodic, urgent) Extensions(x-vocab=session.kind)",
		"Enums(json, csv)\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	again, err := syncSource("p.go", out)
	if err != nil || string(again) != string(out) {
		t.Errorf("a synced file changes again: %v\n%s", err, again)
	}
}

func TestSyncRefusesWhatTheVocabularyDoesNotHave(t *testing.T) {
	for name, src := range map[string]string{
		"unknown tag key":   "package p\n\ntype T struct {\n\tA string `vocab:\"case.colour\"`\n}\n",
		"unknown param key": "package p\n\n// @Param a query string false \"a\" Extensions(x-vocab=case.colour)\nfunc h() {}\n",
		"rule without key":  "package p\n\ntype T struct {\n\tA string `validate:\"required,vocab\"`\n}\n",
	} {
		if _, err := syncSource("p.go", []byte(src)); err == nil || !strings.Contains(err.Error(), "p.go:") {
			t.Errorf("%s: want an error naming the place, got %v", name, err)
		}
	}
}

// The repository's annotations are in step with the vocabulary (make docs-check says the same).
func TestRepositoryEnumsFollowTheVocabulary(t *testing.T) {
	stale, err := syncTree([]string{"../../internal"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("run make docs: these files' enums are not the vocabulary's: %v", stale)
	}
}
