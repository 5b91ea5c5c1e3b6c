package input

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestLoadModelRecovers turns a panic inside compose-go's loader into an
// error of the project.
func TestLoadModelRecovers(t *testing.T) {
	d := types.ConfigDetails{WorkingDir: t.TempDir(), ConfigFiles: []types.ConfigFile{{Filename: "compose.yml", Config: map[string]any{"services": map[string]any{}}}}}
	_, err := loadModel(d, func(*loader.Options) { panic("interface conversion: interface {} is string, not bool") })
	if err == nil || !strings.Contains(err.Error(), "unexpected type (interface conversion") {
		t.Fatalf("err = %v", err)
	}
}

func TestCastBool(t *testing.T) {
	for in, want := range map[string]bool{"yes": true, "TRUE": true, "on": true, "y": true, "no": false, "False": false, "off": false, "n": false, "": false} {
		got, err := castBool(in)
		if err != nil || got != want {
			t.Errorf("castBool(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := castBool("maybe"); err == nil {
		t.Error(`castBool("maybe") gave no error`)
	}
}
