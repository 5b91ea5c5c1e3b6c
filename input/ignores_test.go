package input

import (
	"reflect"
	"testing"
)

func TestYAMLIgnores(t *testing.T) {
	src := `services:
  web:
    image: "nginx#1" # portguard:ignore DBP102 -- not a comment inside quotes above
    ports:
      # portguard:ignore DBP201,DBP501 -- two ids, comma separated
      # a plain comment between
      - "8080:80"
      - '7000:80' # portguard:ignore DBP102
      # portguard:ignore DBP101 -- a blank line follows

      - "x#portguard:ignore DBP101 -- inside quotes, no comment"
      #portguard:ignoreDBP101 -- glued to the marker: not one
`
	got := yamlIgnores("dc.yml", []byte(src))
	want := []Ignore{
		{File: "dc.yml", Line: 3, Column: 22, Rules: []string{"DBP102"}, Reason: "not a comment inside quotes above", TargetLine: 3},
		{File: "dc.yml", Line: 5, Column: 7, Rules: []string{"DBP201", "DBP501"}, Reason: "two ids, comma separated", TargetLine: 7},
		{File: "dc.yml", Line: 8, Column: 19, Rules: []string{"DBP102"}, Reason: "", TargetLine: 8},
		{File: "dc.yml", Line: 9, Column: 7, Rules: []string{"DBP101"}, Reason: "a blank line follows", TargetLine: 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("yamlIgnores:\n%+v\nwant\n%+v", got, want)
	}
}

func TestMarkdownIgnoresKeepTheTable(t *testing.T) {
	src := "| Port | Service |\n|---|---|\n| 7000 | a |\n<!-- portguard:ignore DBP503 -- back in Q4 -->\n| 7001 | b |\n"
	got := markdownIgnores("P.md", []byte(src))
	want := []Ignore{{File: "P.md", Line: 4, Column: 1, Rules: []string{"DBP503"}, Reason: "back in Q4", TargetLine: 5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("markdownIgnores: %+v", got)
	}
	conv := parseConventions("P.md", []byte(src))
	if len(conv.Rows) != 2 || conv.Rows[1].Line != 5 {
		t.Errorf("rows %+v: the comment must not end the table", conv.Rows)
	}
}
