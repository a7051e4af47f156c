package executor

import (
	"octopus/engine/playbook"
	"octopus/engine/value"
)

// incCtx is the context of a dynamic include (include_tasks/include_role):
// the include task, its params, and the context it ran in.
type incCtx struct {
	task   *rtask
	params *value.Dict
	role   *playbook.Role // include_role: the included role
	file   string
}

// rtask is a task as the executor runs it: the AST task plus run-time
// context (include chain, role dependency chain) and an output ID.
type rtask struct {
	*playbook.Task
	id       uint64
	ctx      *incCtx          // nil for static tasks
	chain    []*playbook.Role // roles that pulled Task.Role in (outermost first)
	parent   *rblock          // run-time parent block
	implicit bool             // implicit flush_handlers / noop
}

// rblock is a run-time block: its three sections converted to items.
type rblock struct {
	b        *playbook.Block // nil for synthetic blocks
	parent   *rblock
	ctx      *incCtx
	sections [3][]any // *rtask or *rblock: block, rescue, always
	topIdx   int      // index in the play's top-level list
}

// section indices
const (
	secBlock  = 0
	secRescue = 1
	secAlways = 2
)

type iframe struct {
	blk      *rblock
	phase    int
	idx      int
	failed   bool // failure pending until always finishes
	rescuing bool
}

// hostIter walks the play's block tree for one host.
type hostIter struct {
	top     []*rblock
	topIdx  int
	stack   []*iframe
	done    bool
	failed  bool // host failed in this play
	curTop  int  // top-level index of the current block
	started bool // --start-at-task reached

	// handler state (ansible's HANDLERS run state)
	inHandlers bool
	hIdx       int // next handler index to consider
	peekH      int // index of the handler peek found
	handlers   func() []*rtask
	notified   func(h *rtask) bool
}

func newHostIter(top []*rblock) *hostIter { return &hostIter{top: top} }

// peek returns the next task without consuming it (nil when done), along
// with the top-level block index and the innermost phase.
func (it *hostIter) peek() (*rtask, int, int) {
	if it.inHandlers && !it.done {
		hs := it.handlers()
		for j := it.hIdx; j < len(hs); j++ {
			if it.notified(hs[j]) {
				it.peekH = j
				return hs[j], it.curTop, 3
			}
		}
		it.inHandlers = false
		it.hIdx = len(hs)
	}
	for !it.done {
		if len(it.stack) == 0 {
			if it.topIdx >= len(it.top) {
				it.done = true
				return nil, 0, 0
			}
			it.curTop = it.topIdx
			it.stack = append(it.stack, &iframe{blk: it.top[it.topIdx]})
			it.topIdx++
			continue
		}
		f := it.stack[len(it.stack)-1]
		items := f.blk.sections[f.phase]
		if f.idx < len(items) {
			switch x := items[f.idx].(type) {
			case *rblock:
				f.idx++
				it.stack = append(it.stack, &iframe{blk: x})
				continue
			case *rtask:
				return x, it.curTop, f.phase
			}
		}
		// section finished
		switch f.phase {
		case secBlock, secRescue:
			if f.phase == secRescue {
				f.rescuing = false
			}
			if len(f.blk.sections[secAlways]) > 0 {
				f.phase, f.idx = secAlways, 0
				continue
			}
		}
		it.stack = it.stack[:len(it.stack)-1]
		if f.failed {
			it.fail()
		}
	}
	return nil, 0, 0
}

// advance consumes the task peek returned.
func (it *hostIter) advance() {
	if it.inHandlers {
		it.hIdx = it.peekH + 1
		return
	}
	if len(it.stack) > 0 {
		it.stack[len(it.stack)-1].idx++
	}
}

// fail records a task failure at the current position. It returns true
// when a rescue section takes over (the failure is "rescued").
func (it *hostIter) fail() bool {
	if it.inHandlers {
		it.inHandlers = false
		it.end()
		it.failed = true
		return false
	}
	for len(it.stack) > 0 {
		f := it.stack[len(it.stack)-1]
		switch f.phase {
		case secBlock:
			if len(f.blk.sections[secRescue]) > 0 {
				f.phase, f.idx, f.rescuing = secRescue, 0, true
				return true
			}
			if len(f.blk.sections[secAlways]) > 0 {
				f.phase, f.idx, f.failed = secAlways, 0, true
				return false
			}
		case secRescue:
			f.rescuing = false
			if len(f.blk.sections[secAlways]) > 0 {
				f.phase, f.idx, f.failed = secAlways, 0, true
				return false
			}
		}
		it.stack = it.stack[:len(it.stack)-1]
	}
	it.done, it.failed = true, true
	return false
}

// rescuing reports whether the innermost block is in its rescue section
// because of a failure.
func (it *hostIter) anyRescuing() bool {
	if it.inHandlers {
		return false
	}
	for _, f := range it.stack {
		if f.phase == secBlock && len(f.blk.sections[secRescue]) > 0 {
			return true
		}
	}
	return false
}

// insert makes blocks run next (after the current task) for this host.
func (it *hostIter) insert(blocks []*rblock) {
	if len(blocks) == 0 {
		return
	}
	items := make([]any, len(blocks))
	for i, b := range blocks {
		items[i] = b
	}
	syn := &rblock{sections: [3][]any{items}}
	it.stack = append(it.stack, &iframe{blk: syn})
}

// end stops iteration for the host (meta end_host / end_play).
// clearErrors forgets the host's failure (meta: clear_host_errors): a
// block's always section no longer re-raises it, and a host that already
// stopped stays stopped in this play but is no longer failed.
func (it *hostIter) clearErrors() {
	it.failed = false
	for _, f := range it.stack {
		f.failed = false
	}
}

func (it *hostIter) end() {
	it.done = true
	it.stack = nil
	it.topIdx = len(it.top)
}

// phaseOf returns the innermost frame's phase (for lockstep ordering).
func (it *hostIter) phaseOf() int {
	if len(it.stack) == 0 {
		return 0
	}
	return it.stack[len(it.stack)-1].phase
}

// isPendingFailure reports whether a failure will mark the host failed
// once always sections finish.
func (it *hostIter) isPendingFailure() bool {
	for _, f := range it.stack {
		if f.failed {
			return true
		}
	}
	return false
}

// enterHandlers switches the host to running notified handlers (flush).
func (it *hostIter) enterHandlers() {
	it.inHandlers = true
	it.hIdx = 0
}

// handlerCmp is the handler index ansible's lockstep compares.
func (it *hostIter) handlerCmp() int {
	if it.inHandlers {
		return it.peekH + 1
	}
	return it.hIdx
}
