package cli

import (
	"fmt"
	"strings"

	"octopus/engine/diag"
	"octopus/engine/executor"
	"octopus/engine/inventory"
	"octopus/engine/listing"
	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
	"octopus/engine/template"
	"octopus/engine/value"
	"octopus/engine/vars"
	"octopus/engine/vault"
)

// listTemplater renders templated play names and host patterns for
// --list-hosts/--list-tasks/--list-tags with the play's vars, the extra
// vars and the magic variables, as ansible-playbook post-validates plays
// before listing them. An undefined variable is Ansible's "The field
// 'hosts' has an invalid value" error (exit code 4).
func (s *session) listTemplater(pb *playbook.Playbook) listing.Templater {
	view := inventory.NewView(s.inv, s.invOpts, []string{pb.Dir})
	tpl := executor.NewTemplater(template.New(template.Options{
		BaseDir:           pb.Dir,
		Warn:              s.warn,
		VaultDecrypt:      func(v *value.Vault) (string, error) { return vault.DecryptValue(v, s.secrets, s.decryptOptions()) },
		FileDecrypt:       s.decrypt,
		LegacyTestFilters: legacyTestFilters(),
	}))
	vm := vars.NewManager(view, tpl)
	vm.Extra = s.extraVars
	vm.PlaybookDir = pb.Dir
	return func(play *playbook.Play, text string) (string, error) {
		pv := value.NewDict(0)
		if play.Vars != nil {
			for _, k := range play.Vars.Keys {
				pv.Set(k, play.Vars.Values[k])
			}
		}
		scope := vm.Scope("", &vars.Frame{Play: play, PlayVars: []*value.Dict{pv}})
		v, err := tpl.Template(text, scope)
		if err != nil {
			field := "hosts"
			if text == play.Name {
				field = "name"
			}
			msg := err.Error()
			if strings.Contains(msg, "is undefined") {
				msg = fmt.Sprintf("The field '%s' has an invalid value, which includes an undefined variable. The error was: %s. %s", field, msg, msg)
			}
			return "", &diag.Error{Msg: msg, Pos: play.Pos, Code: 4}
		}
		if l, ok := v.([]any); ok {
			parts := make([]string, len(l))
			for i, x := range l {
				parts[i] = pyfmt.Str(x)
			}
			return strings.Join(parts, ","), nil
		}
		return pyfmt.Str(v), nil
	}
}
