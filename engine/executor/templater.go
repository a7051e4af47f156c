package executor

import (
	"errors"

	"octopus/engine/template"
	"octopus/engine/vars"
	"octopus/modules"
)

// NewTemplater adapts engine/template's Templar to the executor's Templater.
func NewTemplater(t *template.Templar) Templater { return templar{t} }

type templar struct{ t *template.Templar }

func (a templar) Template(v any, vs vars.Vars) (any, error) { return a.t.Template(v, vs) }
func (a templar) Cond(c []any, vs vars.Vars) (bool, error)  { return a.t.Cond(c, vs) }
func (a templar) LookupList(name string, terms any, vs vars.Vars) ([]any, error) {
	return a.t.LookupList(name, terms, vs)
}
func (a templar) Render(text string, vs vars.Vars, o modules.RenderOptions) (string, error) {
	return a.t.Render(text, vs, template.RenderOptions{
		NoTrimBlocks: !o.TrimBlocks, LStripBlocks: o.LstripBlocks,
		BlockStart: o.BlockStart, BlockEnd: o.BlockEnd, VariableStart: o.VarStart, VariableEnd: o.VarEnd,
		NewlineSequence: o.NewlineSequence, Name: o.Path,
	})
}
func (a templar) IsOmit(v any) bool {
	if v == nil {
		return false
	}
	if _, ok := v.(template.OmitValue); ok {
		return true
	}
	s, ok := v.(string)
	return ok && s == template.OmitPlaceholder
}
func (a templar) IsUndefined(err error) bool {
	var u *template.UndefinedError
	return errors.As(err, &u)
}

// OmitToken is the value of the omit variable.
const OmitToken = template.OmitPlaceholder
