// Command tcd-enums writes the enums of the OpenAPI annotations from the vocabulary
// (internal/vocab), so that the document swag generates lists exactly the values the service
// accepts and nobody keeps a second copy of them: a struct field tagged vocab:"KEY" gets
// enums:"…", and a swag @Param line carrying Extensions(x-vocab=KEY) gets Enums(…). make docs
// runs it before swag; with -check (make docs-check) it changes nothing and fails when a file
// is stale. It also refuses a key the vocabulary does not have, and a field validated with the
// "vocab" rule that does not say which enum.
//
//	go run ./cmd/tcd-enums [-check] [DIR …]   (default ./internal)
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tcd-registry/tcd/internal/vocab"
)

func main() {
	check := flag.Bool("check", false, "change nothing; fail if a file's enums are not the vocabulary's")
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{"internal"}
	}
	stale, err := syncTree(dirs, !*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tcd-enums:", err)
		os.Exit(1)
	}
	for _, f := range stale {
		if *check {
			fmt.Fprintf(os.Stderr, "tcd-enums: %s: enums differ from the vocabulary (run make docs)\n", f)
		} else {
			fmt.Println("tcd-enums: wrote", f)
		}
	}
	if *check && len(stale) > 0 {
		os.Exit(1)
	}
}

// syncTree brings every Go file under dirs, tests aside, in line with the vocabulary and lists
// the files that were not; it writes them only when write is set.
func syncTree(dirs []string, write bool) ([]string, error) {
	var stale []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			// tests' own types are not in the OpenAPI document
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out, err := syncSource(path, src)
			if err != nil || bytes.Equal(out, src) {
				return err
			}
			stale = append(stale, path)
			if write {
				return os.WriteFile(path, out, d.Type().Perm()|0o600)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return stale, nil
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

var (
	xVocab     = regexp.MustCompile(`(?i)\bextensions\([^)]*\bx-vocab=([\w.]+)`)
	paramEnums = regexp.MustCompile(`(?i)\benums\([^)]*\)`)
	extensions = regexp.MustCompile(`(?i)\bextensions\(`)
	enumsTag   = regexp.MustCompile(`\benums:"[^"]*"`)
	vocabTag   = regexp.MustCompile(`\bvocab:"[^"]*"`)
)

// syncSource returns src with every vocabulary enum written from the vocabulary, gofmt-ed.
func syncSource(path string, src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var (
		edits []edit
		errs  []error
	)
	at := func(p token.Pos) int { return fset.Position(p).Offset }
	fail := func(p token.Pos, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", fset.Position(p), fmt.Sprintf(format, args...)))
	}
	ast.Inspect(f, func(n ast.Node) bool {
		field, ok := n.(*ast.Field)
		if !ok || field.Tag == nil {
			return true
		}
		raw, err := strconv.Unquote(field.Tag.Value)
		if err != nil {
			return true
		}
		tag := reflect.StructTag(raw)
		key, tagged := tag.Lookup("vocab")
		if !tagged {
			if slices.Contains(strings.Split(tag.Get("validate"), ","), "vocab") {
				fail(field.Pos(), `the "vocab" rule needs a vocab:"KEY" tag naming the enum`)
			}
			return true
		}
		e, known := vocab.Lookup(key)
		if !known {
			fail(field.Pos(), "no vocabulary enum %q", key)
			return true
		}
		want := `enums:"` + strings.Join(e.Values(), ",") + `"`
		fixed := raw
		if old := enumsTag.FindString(raw); old != "" {
			fixed = strings.Replace(raw, old, want, 1)
		} else {
			v := vocabTag.FindStringIndex(raw)
			fixed = raw[:v[1]] + " " + want + raw[v[1]:]
		}
		if fixed != raw {
			edits = append(edits, edit{at(field.Tag.Pos()), at(field.Tag.End()), "`" + fixed + "`"})
		}
		return true
	})
	for _, group := range f.Comments {
		for _, c := range group.List {
			m := xVocab.FindStringSubmatch(c.Text)
			if m == nil || !strings.Contains(c.Text, "@Param") {
				continue
			}
			e, known := vocab.Lookup(m[1])
			if !known {
				fail(c.Pos(), "no vocabulary enum %q", m[1])
				continue
			}
			want := "Enums(" + strings.Join(e.Values(), ", ") + ")"
			fixed := c.Text
			if old := paramEnums.FindString(c.Text); old != "" {
				fixed = strings.Replace(c.Text, old, want, 1)
			} else {
				x := extensions.FindStringIndex(c.Text)
				fixed = c.Text[:x[0]] + want + " " + c.Text[x[0]:]
			}
			if fixed != c.Text {
				edits = append(edits, edit{at(c.Pos()), at(c.End()), fixed})
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(edits) == 0 {
		return src, nil
	}
	slices.SortFunc(edits, func(a, b edit) int { return b.start - a.start })
	out := slices.Clone(src)
	for _, e := range edits {
		out = slices.Concat(out[:e.start], []byte(e.text), out[e.end:])
	}
	// a tag of another length moves the comments aligned after it
	return format.Source(out)
}
