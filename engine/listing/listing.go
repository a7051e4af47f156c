// Package listing prints what ansible-playbook prints for --syntax-check,
// --list-hosts, --list-tasks and --list-tags, byte for byte, from a loaded
// playbook.
package listing

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
)

// HostResolver resolves a host pattern (list elements joined with ",") to
// the matching host names, in the order they should be printed.
type HostResolver func(pattern string) ([]string, error)

// Templater renders a template string in the context of a play (play
// vars, extra vars). The identity is used when nil.
type Templater func(play *playbook.Play, s string) (string, error)

// Options select what List prints.
type Options struct {
	// Name is the playbook path as given on the command line (printed in
	// the "playbook: X" line); the loaded path when empty.
	Name                           string
	ListHosts, ListTasks, ListTags bool
	// Tags and SkipTags are --tags and --skip-tags (Tags defaults to
	// ["all"] when empty).
	Tags, SkipTags []string
	// Hosts resolves play host patterns for ListHosts.
	Hosts HostResolver
	// Template renders templated play names, hosts and tags.
	Template Templater
}

func (o *Options) template(play *playbook.Play, s string) (string, error) {
	if o.Template == nil || !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
		return s, nil
	}
	return o.Template(play, s)
}

// SyntaxCheck prints what --syntax-check prints for a playbook that loaded
// without error.
func SyntaxCheck(w io.Writer, pb *playbook.Playbook, name string) error {
	if name == "" {
		name = pb.Path
	}
	_, err := fmt.Fprintf(w, "\nplaybook: %s\n", name)
	return err
}

// List prints the --list-hosts/--list-tasks/--list-tags report of pb.
// Nothing is written when an error occurs (Ansible prints the report only
// once every play was processed).
func List(w io.Writer, pb *playbook.Playbook, opts Options) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error while listing: %v", r)
		}
	}()
	name := opts.Name
	if name == "" {
		name = pb.Path
	}
	var b strings.Builder
	b.WriteString("\nplaybook: " + name + "\n")
	only := opts.Tags
	if len(only) == 0 {
		only = []string{"all"}
	}
	for i, play := range pb.Plays {
		hosts := make([]string, len(play.HostsList))
		for j, h := range play.HostsList {
			th, err := opts.template(play, h)
			if err != nil {
				return err
			}
			hosts[j] = th
		}
		pname := play.Name
		if pname == "" {
			pname = strings.Join(hosts, ",")
		} else {
			var err error
			if pname, err = opts.template(play, pname); err != nil {
				return err
			}
		}
		playTags := uniq(play.Tags)
		fmt.Fprintf(&b, "\n  play #%d (%s): %s\tTAGS: [%s]", i+1, strings.Join(hosts, ","), pname, strings.Join(playTags, ","))
		if opts.ListHosts {
			var names []string
			if opts.Hosts != nil {
				var err error
				names, err = opts.Hosts(strings.Join(hosts, ","))
				if err != nil {
					return err
				}
			}
			names = uniq(names)
			fmt.Fprintf(&b, "\n    pattern: %s\n    hosts (%d):", pyfmt.Repr(hosts), len(names))
			for _, h := range names {
				b.WriteString("\n      " + h)
			}
		}
		b.WriteString("\n")
		if opts.ListTasks || opts.ListTags {
			var msg strings.Builder
			if opts.ListTasks {
				msg.WriteString("    tasks:\n")
			}
			all := map[string]bool{}
			for _, blk := range compile(play) {
				if err := processBlock(&msg, blk, play, playTags, only, opts, all); err != nil {
					return err
				}
			}
			if opts.ListTags {
				set := map[string]bool{}
				for _, t := range playTags {
					set[t] = true
				}
				for t := range all {
					set[t] = true
				}
				fmt.Fprintf(&msg, "      TASK TAGS: [%s]\n", strings.Join(sorted(set), ", "))
			}
			b.WriteString(msg.String())
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// compile returns the play's blocks in run order: pre_tasks, roles
// (dependencies first), tasks, post_tasks.
func compile(play *playbook.Play) []*playbook.Block {
	var out []*playbook.Block
	out = append(out, play.PreTasks...)
	for _, r := range play.Roles {
		out = append(out, playbook.RoleBlocks(r)...)
	}
	out = append(out, play.Tasks...)
	out = append(out, play.PostTasks...)
	return out
}

// processBlock prints the tasks of a block's main section (Ansible lists
// neither rescue nor always) that survive tag filtering. Tags are
// collected from tasks of any section that survive, as Ansible does.
func processBlock(w *strings.Builder, blk *playbook.Block, play *playbook.Play, playTags, only []string, opts Options, all map[string]bool) error {
	// A block that ends up with no tasks at all is dropped entirely.
	has, err := blockHasTasks(blk, play, only, opts)
	if err != nil || !has {
		return err
	}
	for _, it := range blk.Block {
		switch x := it.(type) {
		case *playbook.Block:
			if err := processBlock(w, x, play, playTags, only, opts, all); err != nil {
				return err
			}
		case *playbook.Task:
			tags, keep, err := taskTags(x, play, only, opts)
			if err != nil {
				return err
			}
			if !keep {
				continue
			}
			for _, t := range tags {
				all[t] = true
			}
			if opts.ListTasks {
				set := map[string]bool{}
				for _, t := range playTags {
					set[t] = true
				}
				for _, t := range tags {
					set[t] = true
				}
				fmt.Fprintf(w, "      %s\tTAGS: [%s]\n", taskName(x), strings.Join(sorted(set), ", "))
			}
		}
	}
	return nil
}

func blockHasTasks(blk *playbook.Block, play *playbook.Play, only []string, opts Options) (bool, error) {
	for _, sec := range [][]playbook.Item{blk.Block, blk.Rescue, blk.Always} {
		for _, it := range sec {
			switch x := it.(type) {
			case *playbook.Block:
				ok, err := blockHasTasks(x, play, only, opts)
				if err != nil || ok {
					return ok, err
				}
			case *playbook.Task:
				_, keep, err := taskTags(x, play, only, opts)
				if err != nil || keep {
					return keep, err
				}
			}
		}
	}
	return false, nil
}

// taskTags returns the task's effective tags (templated, including the
// play's) and whether --tags/--skip-tags keep it.
func taskTags(t *playbook.Task, play *playbook.Play, only []string, opts Options) ([]string, bool, error) {
	raw := append(t.InheritedTags(), play.Tags...)
	var tags []string
	for _, r := range raw {
		s, err := opts.template(play, r)
		if err != nil {
			return nil, false, err
		}
		tags = append(tags, s)
	}
	tags = uniq(tags)
	if playbook.ShortName(t.Action) == "include" && !strings.Contains(t.Module, ".") {
		return tags, Evaluate(tags, nil, opts.SkipTags), nil
	}
	return tags, Evaluate(tags, only, opts.SkipTags), nil
}

// Evaluate applies --tags (only) and --skip-tags to a task's effective
// tags with Ansible's rules for always, never, tagged, untagged and all.
func Evaluate(tags, only, skip []string) bool {
	set := map[string]bool{}
	for _, t := range tags {
		set[t] = true
	}
	untagged := len(set) == 0
	if untagged {
		set["untagged"] = true
	}
	in := func(list []string) bool {
		for _, x := range list {
			if set[x] {
				return true
			}
		}
		return false
	}
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	run := true
	if len(only) > 0 {
		switch {
		case set["always"]:
			run = true
		case has(only, "all") && !set["never"]:
			run = true
		case in(only):
			run = true
		case has(only, "tagged") && !untagged && !set["never"]:
			run = true
		default:
			run = false
		}
	}
	if run && len(skip) > 0 {
		switch {
		case has(skip, "all"):
			if !set["always"] || has(skip, "always") {
				run = false
			}
		case in(skip):
			run = false
		case has(skip, "tagged") && !untagged:
			run = false
		}
	}
	return run
}

// taskName is what the listing prints: Task.get_name() ("role : name"
// for role tasks) for named tasks, the bare action otherwise.
func taskName(t *playbook.Task) string {
	if t.Name == "" {
		return t.Action
	}
	if t.Role != nil {
		return t.Role.Name + " : " + t.Name
	}
	return t.Name
}

func uniq(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
