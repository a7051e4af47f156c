package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// PlaybookOptions are ansible-playbook's options, parsed.
type PlaybookOptions struct {
	Playbooks []string

	Inventory []string
	Limit     string
	ExtraVars []string
	Tags      []string
	SkipTags  []string
	Check     bool
	Diff      bool
	Forks     int
	ForksSet  bool

	RemoteUser        string
	AskPass           bool
	ConnPasswordFile  string
	PrivateKey        string
	Connection        string
	Timeout           int
	SSHCommonArgs     string
	SSHExtraArgs      string
	SFTPExtraArgs     string
	SCPExtraArgs      string
	Become            bool
	BecomeMethod      string
	BecomeUser        string
	AskBecomePass     bool
	BecomePassFile    string
	VaultIDs          []string
	VaultPasswordFile []string
	AskVaultPass      bool

	SyntaxCheck   bool
	ListHosts     bool
	ListTasks     bool
	ListTags      bool
	StartAtTask   string
	Step          bool
	Verbosity     int
	FlushCache    bool
	ForceHandlers bool
	ModulePath    string
	Version       bool
}

func playbookFlags() []ucli.Flag {
	// A fresh counter per command line: -v counts must not add up across
	// calls in one process.
	var verbosity int
	flags := []ucli.Flag{
		&ucli.BoolFlag{Name: "version", Usage: "show version, config file location and exit"},
		&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Count: &verbosity, Usage: "more output; repeat up to -vvvvvv"},
		&ucli.StringFlag{Name: "private-key", Aliases: []string{"key-file"}, Usage: "use this file to authenticate the connection"},
		&ucli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "connect as this user"},
		&ucli.StringFlag{Name: "connection", Aliases: []string{"c"}, Usage: "connection type to use (default=smart)"},
		&ucli.StringFlag{Name: "timeout", Aliases: []string{"T"}, Usage: "override the connection timeout in seconds"},
		&ucli.StringFlag{Name: "ssh-common-args", Usage: "common arguments for ssh (e.g. ProxyCommand)"},
		&ucli.StringFlag{Name: "sftp-extra-args", Usage: "extra arguments for sftp only"},
		&ucli.StringFlag{Name: "scp-extra-args", Usage: "extra arguments for scp only"},
		&ucli.StringFlag{Name: "ssh-extra-args", Usage: "extra arguments for ssh only"},
		&ucli.BoolFlag{Name: "ask-pass", Aliases: []string{"k"}, Usage: "ask for connection password"},
		&ucli.StringFlag{Name: "connection-password-file", Aliases: []string{"conn-pass-file"}, Usage: "connection password file"},
		&ucli.BoolFlag{Name: "force-handlers", Usage: "run handlers even if a task fails"},
		&ucli.BoolFlag{Name: "flush-cache", Usage: "clear the fact cache for every host in inventory"},
		&ucli.BoolFlag{Name: "become", Aliases: []string{"b"}, Usage: "run operations with become"},
		&ucli.StringFlag{Name: "become-method", Usage: "privilege escalation method (default=sudo)"},
		&ucli.StringFlag{Name: "become-user", Usage: "run operations as this user (default=root)"},
		&ucli.BoolFlag{Name: "ask-become-pass", Aliases: []string{"K"}, Usage: "ask for privilege escalation password"},
		&ucli.StringFlag{Name: "become-password-file", Aliases: []string{"become-pass-file"}, Usage: "become password file"},
		&ucli.StringSliceFlag{Name: "tags", Aliases: []string{"t"}, Usage: "only run plays and tasks tagged with these values"},
		&ucli.StringSliceFlag{Name: "skip-tags", Usage: "only run plays and tasks whose tags do not match these values"},
		&ucli.BoolFlag{Name: "check", Aliases: []string{"C"}, Usage: "don't make any changes; predict them"},
		&ucli.BoolFlag{Name: "diff", Aliases: []string{"D"}, Usage: "show the differences in changed files"},
		inventoryFlag(),
		&ucli.BoolFlag{Name: "list-hosts", Usage: "list matching hosts; run nothing"},
		limitFlag(),
		extraVarsFlag(),
	}
	flags = append(flags, vaultFlags()...)
	return append(flags,
		&ucli.StringFlag{Name: "forks", Aliases: []string{"f"}, Usage: "number of parallel hosts (default=5)"},
		&ucli.StringFlag{Name: "module-path", Aliases: []string{"M"}, Usage: "prepend path(s) to the module library (not supported: octopus runs native modules)"},
		&ucli.BoolFlag{Name: "syntax-check", Usage: "check the playbook's syntax; run nothing"},
		&ucli.BoolFlag{Name: "list-tasks", Usage: "list all tasks that would be executed"},
		&ucli.BoolFlag{Name: "list-tags", Usage: "list all available tags"},
		&ucli.BoolFlag{Name: "step", Usage: "confirm each task before running"},
		&ucli.StringFlag{Name: "start-at-task", Usage: "start the playbook at the task matching this name"},
	)
}

func playbookCommand(prog string) *ucli.Command {
	return &ucli.Command{
		Name:      prog,
		Usage:     "Runs Ansible playbooks, executing the defined tasks on the targeted hosts.",
		UsageText: prog + " [options] playbook [playbook ...]",
		Flags:     playbookFlags(),
		Action: func(c *ucli.Context) error {
			o, err := playbookOptions(c, prog)
			if err != nil {
				return err
			}
			return runPlaybook(c, prog, o)
		},
	}
}

func playbookOptions(c *ucli.Context, prog string) (*PlaybookOptions, error) {
	o := &PlaybookOptions{
		Playbooks:         c.Args().Slice(),
		Inventory:         c.StringSlice("inventory"),
		Limit:             c.String("limit"),
		ExtraVars:         c.StringSlice("extra-vars"),
		Tags:              c.StringSlice("tags"),
		SkipTags:          c.StringSlice("skip-tags"),
		Check:             c.Bool("check"),
		Diff:              c.Bool("diff"),
		RemoteUser:        c.String("user"),
		AskPass:           c.Bool("ask-pass"),
		ConnPasswordFile:  c.String("connection-password-file"),
		PrivateKey:        c.String("private-key"),
		Connection:        c.String("connection"),
		SSHCommonArgs:     c.String("ssh-common-args"),
		SSHExtraArgs:      c.String("ssh-extra-args"),
		SFTPExtraArgs:     c.String("sftp-extra-args"),
		SCPExtraArgs:      c.String("scp-extra-args"),
		Become:            c.Bool("become"),
		BecomeMethod:      c.String("become-method"),
		BecomeUser:        c.String("become-user"),
		AskBecomePass:     c.Bool("ask-become-pass"),
		BecomePassFile:    c.String("become-password-file"),
		VaultIDs:          c.StringSlice("vault-id"),
		VaultPasswordFile: c.StringSlice("vault-password-file"),
		AskVaultPass:      c.Bool("ask-vault-password"),
		SyntaxCheck:       c.Bool("syntax-check"),
		ListHosts:         c.Bool("list-hosts"),
		ListTasks:         c.Bool("list-tasks"),
		ListTags:          c.Bool("list-tags"),
		StartAtTask:       c.String("start-at-task"),
		Step:              c.Bool("step"),
		Verbosity:         c.Count("verbose"),
		FlushCache:        c.Bool("flush-cache"),
		ForceHandlers:     c.Bool("force-handlers"),
		ModulePath:        c.String("module-path"),
		Version:           c.Bool("version"),
	}
	if c.IsSet("forks") {
		n, err := parseInt(c.String("forks"))
		if err != nil {
			return nil, usageError(prog, "argument -f/--forks: invalid int value: '%s'", c.String("forks"))
		}
		o.Forks, o.ForksSet = n, true
	}
	if c.IsSet("timeout") {
		n, err := parseInt(c.String("timeout"))
		if err != nil {
			return nil, usageError(prog, "argument -T/--timeout: invalid int value: '%s'", c.String("timeout"))
		}
		o.Timeout = n
	}
	if o.Version {
		return o, nil
	}
	if o.AskPass && o.ConnPasswordFile != "" {
		return nil, usageError(prog, "argument --connection-password-file/--conn-pass-file: not allowed with argument -k/--ask-pass")
	}
	if o.AskBecomePass && o.BecomePassFile != "" {
		return nil, usageError(prog, "argument --become-password-file/--become-pass-file: not allowed with argument -K/--ask-become-pass")
	}
	if o.AskVaultPass && len(o.VaultPasswordFile) > 0 {
		return nil, usageError(prog, "argument --vault-password-file/--vault-pass-file: not allowed with argument --ask-vault-password/--ask-vault-pass")
	}
	if len(o.Playbooks) == 0 {
		return nil, usageError(prog, "the following arguments are required: playbook")
	}
	if o.ModulePath != "" {
		return nil, fatal(5, "-M/--module-path is not supported: octopus runs its own native modules and never loads Python modules")
	}
	return o, nil
}
