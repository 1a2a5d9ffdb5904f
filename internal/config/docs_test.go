package config_test

import (
	"os"
	"strings"
	"testing"

	"shipshape/internal/config"
)

// TestREADMEListsEverySetting keeps the configuration table honest.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, o := range config.Options() {
		if !strings.Contains(readme, "`--"+o.Flag+"` | `"+o.Env+"`") {
			t.Errorf("README's configuration table lacks --%s / %s", o.Flag, o.Env)
		}
	}
}
