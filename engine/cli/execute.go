package cli

import (
	ucli "github.com/urfave/cli/v2"

	"octopus/engine/playbook"
)

func (s *session) execute(c *ucli.Context, books []*playbook.Playbook) error {
	return fatal(1, "running playbooks is not wired yet")
}
