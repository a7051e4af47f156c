package executor

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/term"

	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/engine/vars"
)

// promptVars returns the play's vars_prompt answers (empty before
// askVarsPrompt ran).
func (pr *playRun) promptVars() *value.Dict {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.prompted == nil {
		return value.NewDict(0)
	}
	return pr.prompted
}

// interactive reports whether vars_prompt questions are asked: stdin is
// given and, when it is a file, a terminal.
func (r *runner) interactive() bool {
	if r.opts.Stdin == nil {
		return false
	}
	if fd, ok := r.stdinFd(); ok {
		return isTTY(fd)
	}
	return true
}

// readLine reads one answer line from the run's stdin ("" at its end).
func (r *runner) readLine() (string, bool) {
	if r.stdin == nil {
		r.stdin = bufio.NewReader(r.opts.Stdin)
	}
	line, err := r.stdin.ReadString('\n')
	if err != nil && line == "" {
		return "", false
	}
	return strings.TrimRight(line, "\r\n"), true
}

// ask writes msg and reads the answer; a private answer is read from the
// terminal without echo and followed by a newline.
func (r *runner) ask(msg string, private bool) (string, bool) {
	w := r.stdout()
	fmt.Fprint(w, msg)
	if private {
		if fd, ok := r.stdinFd(); ok && isTTY(fd) && (r.stdin == nil || r.stdin.Buffered() == 0) {
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(w)
			return string(b), err == nil
		}
		line, ok := r.readLine()
		fmt.Fprintln(w)
		return line, ok
	}
	return r.readLine()
}

// askVarsPrompt answers the play's vars_prompt before its banner, as
// ansible-playbook does: the entries are templated with the play's
// variables, names given by -e are not asked, and without a terminal the
// defaults are taken (the string "None" when there is none). It returns
// false after recording a fatal error.
func (pr *playRun) askVarsPrompt() bool {
	r := pr.r
	d := value.NewDict(len(pr.play.VarsPrompt))
	pr.mu.Lock()
	pr.prompted = d
	pr.mu.Unlock()
	if len(pr.play.VarsPrompt) == 0 {
		return true
	}
	scope := r.vm.Scope("", &vars.Frame{Play: pr.play, PlayVars: pr.rawPlayVars()})
	tpl := func(v any) any {
		if out, err := r.tpl.Template(v, scope); err == nil {
			return out
		}
		return v
	}
	for _, p := range pr.play.VarsPrompt {
		name := fmt.Sprint(tpl(p.Name))
		if r.opts.ExtraVars.Has(name) {
			continue
		}
		ans, err := pr.askOne(p, name, tpl)
		if err != nil {
			r.setFatal(err)
			return false
		}
		d.Set(name, ans)
	}
	return true
}

// askOne answers one vars_prompt entry.
func (pr *playRun) askOne(p *playbook.VarPrompt, name string, tpl func(any) any) (any, error) {
	r := pr.r
	def := tpl(p.Default)
	var result any
	if r.interactive() {
		var msg string
		// the loader gives an entry without prompt its name as prompt
		prompt := pyfmt.Str(tpl(p.Prompt))
		switch {
		case prompt != "" && def != nil:
			msg = fmt.Sprintf("%s [%s]: ", prompt, pyfmt.Str(def))
		case prompt != "":
			msg = prompt + ": "
		default:
			msg = "input for " + name + ": "
		}
		private := p.Private
		for {
			first, ok := r.ask(msg, private)
			if !p.Confirm {
				result = first
				break
			}
			second, ok2 := r.ask("confirm "+msg, private)
			if first == second || !ok || !ok2 {
				result = first
				break
			}
			r.cb.Verbose(0, "***** VALUES ENTERED DO NOT MATCH ****")
		}
	} else {
		r.cb.Warning("Not prompting as we are not in interactive mode")
	}
	if s, ok := result.(string); (result == nil || ok && s == "") && def != nil {
		result = def
	}
	if enc := p.Encrypt; enc != "" {
		if result == nil {
			if r.opts.Verbosity < 3 {
				r.cb.Verbose(0, "to see the full traceback, use -vvv")
			}
			return nil, &codedError{err: errors.New("Unexpected Exception, this is probably a bug: secret must be unicode or bytes, not None"), code: 250}
		}
		h, err := pr.encryptAnswer(pyfmt.Str(result), enc, p)
		if err != nil {
			return nil, err
		}
		result = h
	}
	s := pyfmt.Str(result)
	if result == nil {
		s = "None"
	}
	if p.Unsafe {
		return value.Unsafe(s), nil
	}
	return s, nil
}

// cryptSaltChars are the characters crypt(3) salts are made of.
const cryptSaltChars = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// encryptAnswer hashes an answer with the password_hash filter.
func (pr *playRun) encryptAnswer(secret, scheme string, p *playbook.VarPrompt) (string, error) {
	salt := p.Salt
	if salt == "" {
		n := p.SaltSize
		if n <= 0 {
			n = 16
		}
		var b strings.Builder
		for i := 0; i < n; i++ {
			k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(cryptSaltChars))))
			b.WriteByte(cryptSaltChars[k.Int64()])
		}
		salt = b.String()
	}
	layer := value.DictOf("__octopus_secret", secret, "__octopus_scheme", scheme, "__octopus_salt", salt)
	scope := pr.r.vm.Scope("", &vars.Frame{Play: pr.play, PlayVars: []*value.Dict{layer}})
	out, err := pr.r.tpl.Template("{{ __octopus_secret | password_hash(__octopus_scheme, __octopus_salt) }}", scope)
	if err != nil {
		return "", &codedError{err: fmt.Errorf("Unexpected Exception, this is probably a bug: %s", strings.TrimPrefix(err.Error(), "password_hash: ")), code: 250}
	}
	return fmt.Sprint(out), nil
}
