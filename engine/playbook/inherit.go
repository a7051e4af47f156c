package playbook

// InheritedTags returns the tags set on t and on everything it inherits
// keywords from (enclosing blocks, the import_tasks/import_role task that
// brought it in, its role and the roles that depend on that role), in that
// order, without duplicates. The play's tags are not included.
func (t *Task) InheritedTags() []string {
	var out []string
	seen := map[string]bool{}
	add := func(tags []string) {
		for _, x := range tags {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	walkTask(t, func(k *Keywords) { add(k.Tags) })
	return out
}

// walkTask visits t's keywords, then those of everything above it.
func walkTask(t *Task, fn func(*Keywords)) {
	fn(&t.Keywords)
	if t.Parent != nil {
		walkBlock(t.Parent, fn)
	} else if t.Role != nil {
		walkRole(t.Role, fn)
	}
}

func walkBlock(b *Block, fn func(*Keywords)) {
	for ; b != nil; b = b.Parent {
		fn(&b.Keywords)
		if b.Parent != nil {
			continue
		}
		switch {
		case b.FromInclude != nil:
			walkTask(b.FromInclude, fn)
		case b.Role != nil:
			walkRole(b.Role, fn)
		}
	}
}

func walkRole(r *Role, fn func(*Keywords)) {
	for ; r != nil; r = r.From {
		fn(&r.Keywords)
		if r.Via != nil {
			walkTask(r.Via, fn)
		}
	}
}
