package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"octopus/engine/inventory"
	"octopus/engine/value"
	"octopus/engine/vault"

	"octopus/engine/inventory/invcmd"
)

func inventoryFlags() []ucli.Flag {
	var verbosity int
	flags := []ucli.Flag{
		&ucli.BoolFlag{Name: "version", Usage: "show version and exit"},
		&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Count: &verbosity, Usage: "more output"},
		inventoryFlag(),
	}
	flags = append(flags, vaultFlags()...)
	return append(flags,
		&ucli.StringFlag{Name: "playbook-dir", Usage: "use this as the playbook directory (group_vars/, host_vars/)"},
		extraVarsFlag(),
		limitFlag(),
		&ucli.BoolFlag{Name: "list", Usage: "output all hosts info, works as inventory script"},
		&ucli.StringFlag{Name: "host", Usage: "output specific host info, works as inventory script"},
		&ucli.BoolFlag{Name: "graph", Usage: "create inventory graph"},
		&ucli.BoolFlag{Name: "yaml", Aliases: []string{"y"}, Usage: "use YAML format instead of JSON"},
		&ucli.BoolFlag{Name: "toml", Usage: "use TOML format instead of JSON (not supported)"},
		&ucli.BoolFlag{Name: "vars", Usage: "add vars to graph display"},
		&ucli.BoolFlag{Name: "export", Usage: "represent the inventory optimised for export"},
		&ucli.StringFlag{Name: "output", Usage: "write --list output to this file"},
	)
}

func inventoryCommand(prog string) *ucli.Command {
	return &ucli.Command{
		Name:      prog,
		Usage:     "Show Ansible inventory information, by default it uses the inventory script JSON format",
		UsageText: prog + " [options] [host|group]",
		Flags:     inventoryFlags(),
		Action: func(c *ucli.Context) error {
			s := streams(c)
			if c.Bool("version") {
				return printVersion(c, prog)
			}
			n := 0
			for _, f := range []string{"list", "graph"} {
				if c.Bool(f) {
					n++
				}
			}
			if c.IsSet("host") {
				n++
			}
			if n != 1 {
				return usageError(prog, "No action selected, at least one of --host, --graph or --list needs to be specified.")
			}
			if c.Bool("toml") {
				return fatal(5, "--toml is not supported by octopus; use --list or -y")
			}
			cfg, err := loadConfig()
			if err != nil {
				return fatal(1, "%v", err)
			}
			sources := c.StringSlice("inventory")
			if len(sources) == 0 {
				sources = cfg.PathList("inventory")
			}
			so := vault.SecretOptions{
				VaultIDs:      c.StringSlice("vault-id"),
				PasswordFiles: c.StringSlice("vault-password-file"),
				AskVaultPass:  c.Bool("ask-vault-password"),
				Warn:          func(msg string) { fmt.Fprint(s.Err, inventory.FormatWarning(msg)) },
			}
			so.ApplyConfig(cfg)
			secrets, err := vault.LoadSecrets(so)
			if err != nil {
				return fatal(1, "%v", err)
			}
			do := vault.DecryptOptions{Warn: so.Warn}
			do.ApplyConfig(cfg)
			opts := invcmd.Options{
				Decrypt:      vault.FileDecrypter(secrets, do),
				VaultDecrypt: func(v *value.Vault) (string, error) { return vault.DecryptValue(v, secrets, do) },
				Sources:      sources,
				List:         c.Bool("list"),
				Host:         c.String("host"),
				Graph:        c.Bool("graph"),
				GraphGroup:   c.Args().First(),
				Vars:         c.Bool("vars"),
				YAML:         c.Bool("yaml"),
				Limit:        c.String("limit"),
				Export:       c.Bool("export"),
				Output:       c.String("output"),
			}
			if code := invcmd.Run(opts, s.Out, s.Err); code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
}
