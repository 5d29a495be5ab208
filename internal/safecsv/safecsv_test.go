package safecsv

import (
	"bytes"
	"testing"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"=1+2":                       "'=1+2",
		"+1+1":                       "'+1+1",
		"-2+3":                       "'-2+3",
		"@SUM(A1:A2)":                "'@SUM(A1:A2)",
		"\t=1":                       "'\t=1",
		"\r=1":                       "'\r=1",
		"=cmd|' /C calc'!A0":         "'=cmd|' /C calc'!A0",
		"-":                          "'-",
		"-5":                         "-5",
		"+84":                        "+84",
		"-3.25":                      "-3.25",
		"42":                         "42",
		"1.":                         "1.",
		"-1.":                        "'-1.",
		"Nguyễn Văn An":              "Nguyễn Văn An",
		"a=b":                        "a=b",
		"":                           "",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterMakesEveryCellSafe(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := w.WriteAll([][]string{{"STT", "Họ tên"}, {"1", "=1+2"}, {"-7", "@x"}}); err != nil {
		t.Fatal(err)
	}
	if want := "STT,Họ tên\n1,'=1+2\n-7,'@x\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestTextUndoesCell(t *testing.T) {
	for _, s := range []string{"=1+2", "+1+1", "-", "-5", "@x", "\t=1", "Nguyễn Văn An", "'quoted", "'", "''=1", ""} {
		if got := Text(Cell(s)); got != s {
			t.Errorf("Text(Cell(%q)) = %q", s, got)
		}
	}
	if got := Text("'abc"); got != "'abc" {
		t.Errorf("an apostrophe that marks nothing is the text's own: got %q", got)
	}
}
