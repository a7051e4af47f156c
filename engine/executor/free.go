package executor

import (
	"context"
	"fmt"
	"sync"

	"octopus/engine/diag"
)

// runFree runs the batch with the free strategy: every host moves through
// its tasks as fast as it can, up to forks hosts at a time.
func (pr *playRun) runFree(ctx context.Context) int {
	hosts := pr.hostsLeft()
	sem := make(chan struct{}, pr.r.opts.Forks)
	var mu sync.Mutex // serialises iterator/processing work
	started := map[uint64]bool{}
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func(h string) {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				pr.r.mu.Lock()
				un := pr.r.unreach[h]
				pr.r.mu.Unlock()
				if un {
					mu.Unlock()
					return
				}
				t := pr.peekHost(h)
				if t == nil {
					mu.Unlock()
					return
				}
				if bypassHostLoop(t) {
					pr.r.setFatal(&diag.Error{Msg: fmt.Sprintf("The '%s' module bypasses the host loop, which is currently not supported in the free strategy and would instead execute for every host in the inventory list.", t.Task.Action), Pos: t.Task.Pos})
				}
				if pr.r.fatalErr() != nil {
					mu.Unlock()
					return
				}
				pr.iters[h].advance()
				if t.Task.Module == "meta" {
					pr.execMeta(ctx, t, h)
					mu.Unlock()
					continue
				}
				if !started[t.id] {
					started[t.id] = true
					pr.taskStart(t, h)
				}
				mu.Unlock()
				sem <- struct{}{}
				res := pr.execHost(ctx, t, h)
				<-sem
				mu.Lock()
				res = pr.processDebug(ctx, res) // process, then the task debugger
				pr.handleIncludes([]*hostResult{res}, []string{h})
				mu.Unlock()
			}
		}(h)
	}
	wg.Wait()
	return ExitOK
}
