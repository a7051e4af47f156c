package template

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// deepopsFiles returns the template and YAML files of the OpenI-Octopus
// deepops tree (read from the mirror with git at test time).
func deepopsFiles(t *testing.T) map[string]string {
	repo := os.Getenv("OCTOPUS_DEEPOPS_REPO")
	if repo == "" {
		repo = "/work/.mirror/open-intelligence+OpenI-Octopus/repo"
	}
	if _, err := os.Stat(repo); err != nil {
		t.Skipf("OpenI-Octopus mirror not found at %s", repo)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	out, err := exec.Command("git", "-C", repo, "ls-tree", "-r", "--name-only", "b8d3334", "deepops").Output()
	if err != nil {
		t.Skipf("cannot list deepops tree: %v", err)
	}
	files := map[string]string{}
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if ext := filepath.Ext(f); ext != ".j2" && ext != ".yml" && ext != ".yaml" {
			continue
		}
		data, err := exec.Command("git", "-C", repo, "show", "b8d3334:"+f).Output()
		if err == nil {
			files[f] = string(data)
		}
	}
	return files
}

func yamlStrings(n *yaml.Node, key string, fn func(key, s string)) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			yamlStrings(c, key, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			yamlStrings(n.Content[i+1], n.Content[i].Value, fn)
		}
	case yaml.ScalarNode:
		if n.Tag == "!!str" || n.Tag == "" {
			fn(key, n.Value)
		}
	}
}

// TestDeepopsTemplatesCompile checks that every template file, templated
// string and conditional of the deepops playbooks compiles (with the
// legacy `result|failed` filter forms enabled: Ansible 2.14 rejects them).
func TestDeepopsTemplatesCompile(t *testing.T) {
	files := deepopsFiles(t)
	tpl := New(Options{LegacyTestFilters: true})
	count := 0
	for name, src := range files {
		if strings.HasSuffix(name, ".j2") {
			count++
			if _, err := tpl.compile(src, renderConfig{d: defaultDelims, trimBlocks: true}); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			continue
		}
		yamlStrings(&doc, "", func(key, s string) {
			switch {
			case key == "when" || key == "changed_when" || key == "failed_when" || key == "until":
				count++
				if _, err := tpl.compile("{% if "+s+" %} True {% else %} False {% endif %}", renderConfig{d: defaultDelims, rawStrings: true, trimBlocks: true}); err != nil {
					t.Errorf("%s: when %q: %v", name, s, err)
				}
			case isPossiblyTemplate(s, defaultDelims):
				count++
				if _, err := tpl.compile(s, renderConfig{d: defaultDelims, rawStrings: true, trimBlocks: true}); err != nil {
					t.Errorf("%s: %q: %v", name, s, err)
				}
			}
		})
	}
	t.Logf("compiled %d templates and conditions from %d deepops files", count, len(files))
}
