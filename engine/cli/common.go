package cli

import (
	"fmt"
	"os"

	ucli "github.com/urfave/cli/v2"

	"octopus/engine/config"
	"octopus/engine/vault/vaultcmd"
)

// loadConfig finds and reads ansible.cfg as Ansible does and prints its
// warnings.
func loadConfig() (*config.Config, error) {
	cfg, warns, err := config.Load(nil, "")
	for _, w := range warns {
		fmt.Fprintf(os.Stderr, "[WARNING]: %s\n", w)
	}
	return cfg, err
}

// printVersion prints the --version block ansible's commands print, with
// octopus's own lines where Ansible names Python paths.
func printVersion(c *ucli.Context, prog string) error {
	s := streams(c)
	cfg, err := loadConfig()
	if err != nil {
		return fatal(1, "%v", err)
	}
	writeVersion(s.Out, prog, cfg)
	return nil
}

func runVault(prog string, args []string, s Streams) int {
	return vaultcmd.Run(args, s.In, s.Out, s.Err)
}
