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

// inventoryFlag is -i/--inventory; it, limitFlag, extraVarsFlag and
// vaultFlags are the flags ansible-playbook and ansible-inventory share.
func inventoryFlag() ucli.Flag {
	return &ucli.StringSliceFlag{Name: "inventory", Aliases: []string{"i", "inventory-file"}, Usage: "inventory path or comma separated host list"}
}

// limitFlag is -l/--limit.
func limitFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "limit", Aliases: []string{"l"}, Usage: "further limit selected hosts to an additional pattern"}
}

// extraVarsFlag is -e/--extra-vars.
func extraVarsFlag() ucli.Flag {
	return &ucli.StringSliceFlag{Name: "extra-vars", Aliases: []string{"e"}, Usage: "key=value, YAML/JSON, or @file"}
}

// vaultFlags are --vault-id, --ask-vault-password and --vault-password-file
// in the order Ansible lists them.
func vaultFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "vault-id", Usage: "the vault identity to use"},
		&ucli.BoolFlag{Name: "ask-vault-password", Aliases: []string{"ask-vault-pass"}, Usage: "ask for vault password"},
		&ucli.StringSliceFlag{Name: "vault-password-file", Aliases: []string{"vault-pass-file"}, Usage: "vault password file"},
	}
}
