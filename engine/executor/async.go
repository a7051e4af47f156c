package executor

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"sync"
	"time"

	"octopus/engine/value"
	"octopus/engine/vars"
	"octopus/modules"
)

// asyncJob is a task started with async:.
type asyncJob struct {
	jid     string
	file    string
	done    chan struct{}
	result  *value.Dict
	started time.Time
}

type asyncJobs struct {
	mu   sync.Mutex
	jobs map[string]*asyncJob
}

func (a *asyncJobs) add(j *asyncJob) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.jobs == nil {
		a.jobs = map[string]*asyncJob{}
	}
	a.jobs[j.jid] = j
}

func (a *asyncJobs) get(jid string) *asyncJob {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.jobs[jid]
}

func asyncDir(scope *vars.Scope) string {
	if v, ok := scope.Lookup("ansible_user_dir"); ok {
		if s, ok := v.(string); ok && s != "" {
			return s + "/.ansible_async"
		}
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h + "/.ansible_async"
	}
	return "~/.ansible_async"
}

// jobInfo adds the async bookkeeping keys to a result.
func (j *asyncJob) info(d *value.Dict, finished int) *value.Dict {
	d.Set("ansible_job_id", j.jid)
	d.Set("finished", finished)
	d.Set("results_file", j.file)
	d.Set("started", 1)
	return d
}

// runAsync runs a module with async: seconds and poll: interval (0 = fire
// and forget; the job is then checked with async_status).
func (pr *playRun) runAsync(ctx context.Context, mod modules.Module, rt *rtask, host string, scope *vars.Scope, args map[string]any, hr *hostResult, async, poll float64) *value.Dict {
	jid := fmt.Sprintf("j%d.%d", 100000000000+rand.Int63n(900000000000), os.Getpid())
	j := &asyncJob{jid: jid, file: asyncDir(scope) + "/" + jid, done: make(chan struct{}), started: time.Now()}
	pr.r.jobs.add(j)
	bg := scope.With(value.NewDict(0))
	jctx, cancel := context.WithTimeout(context.Background(), time.Duration((async+poll+1)*float64(time.Second)))
	go func() {
		defer cancel()
		defer close(j.done)
		j.result = pr.runModule(jctx, mod, rt, host, bg, args, hr)
	}()
	if poll <= 0 {
		return j.info(value.DictOf("changed", true), 0)
	}
	timeLeft := async
	for timeLeft > 0 {
		select {
		case <-ctx.Done():
			return value.DictOf("failed", true, "msg", "interrupted")
		case <-time.After(time.Duration(poll * float64(time.Second))):
		}
		// a status check takes a moment on a real target; allow for it
		select {
		case <-j.done:
		case <-time.After(250 * time.Millisecond):
		}
		select {
		case <-j.done:
			res := j.info(j.result, 1)
			// Ansible names the outcome by the job's final result
			if truth(res, "failed") {
				pr.r.cb.Verbose(0, fmt.Sprintf("ASYNC FAILED on %s: jid=%s", host, jid))
			} else {
				pr.r.cb.Verbose(0, fmt.Sprintf("ASYNC OK on %s: jid=%s", host, jid))
			}
			return res
		default:
		}
		timeLeft -= poll
		pr.r.cb.Verbose(0, fmt.Sprintf("ASYNC POLL on %s: jid=%s started=1 finished=0", host, jid))
	}
	pr.r.cb.Verbose(0, fmt.Sprintf("ASYNC FAILED on %s: jid=%s", host, jid))
	ar := j.info(value.DictOf(), 0)
	ar.Set("invocation", value.DictOf("module_args", value.DictOf("_async_dir", asyncDir(scope), "jid", jid, "mode", "status")))
	ar.Set("stderr", "")
	ar.Set("stderr_lines", []any{})
	ar.Set("stdout", "")
	ar.Set("stdout_lines", []any{})
	return value.DictOf("async_result", ar, "changed", false, "failed", true,
		"msg", fmt.Sprintf("async task did not complete within the requested time - %ss", pyNum(async)))
}

func pyNum(f float64) string {
	if f == float64(int(f)) {
		return fmt.Sprint(int(f))
	}
	return fmt.Sprint(f)
}

// actAsyncStatus reports on a job started with async: (poll: 0).
func actAsyncStatus(_ context.Context, a *actionCtx) *value.Dict {
	jid := fmt.Sprint(a.args["jid"])
	j := a.pr.r.jobs.get(jid)
	if j == nil {
		return value.DictOf("ansible_job_id", jid, "finished", 1, "failed", true, "msg", "could not find job", "started", 1)
	}
	if m, _ := a.args["mode"].(string); m == "cleanup" {
		return value.DictOf("ansible_job_id", jid, "erased", j.file, "changed", false)
	}
	select {
	case <-j.done:
		out := j.result.Copy()
		return j.info(out, 1)
	default:
		return j.info(value.DictOf("changed", false), 0)
	}
}
