package cli

import (
	"os"
	"path/filepath"
)

// flushFactCache is --flush-cache: it clears the cached facts of every
// inventory host, as ansible-playbook does before running or listing. Only
// the jsonfile cache persists between runs; its files are removed.
func (s *session) flushFactCache() {
	if s.cfg.String("fact_caching") != "jsonfile" {
		return
	}
	dir := expandUser(s.cfg.String("fact_caching_connection"))
	if dir == "" {
		return
	}
	hosts, err := s.inv.ListHosts("all")
	if err != nil {
		return
	}
	for _, h := range hosts {
		os.Remove(filepath.Join(dir, h.Name))
	}
}
