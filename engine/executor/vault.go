package executor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"octopus/engine/vars"
)

// vaultError marks a file that could not be decrypted; Ansible reports it
// instead of treating the file as missing.
type vaultError struct{ err error }

func (e *vaultError) Error() string { return e.err.Error() }
func (e *vaultError) Unwrap() error { return e.err }

func asVaultError(err error) *vaultError {
	var ve *vaultError
	if errors.As(err, &ve) {
		return ve
	}
	return nil
}

// codedError is a run-ending error with its own exit code (Ansible exits
// with 4 when a vars plugin fails to load a group_vars/host_vars file).
type codedError struct {
	err  error
	code int
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// exitCodeOf returns the exit code a fatal error ends the run with.
func exitCodeOf(err error) int {
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	return ExitError
}

// ReadFile reads a controller file as Ansible's loader does: a
// vault-encrypted file is decrypted with the run's secrets (copy's
// decrypt=yes, template sources).
func (c *controller) ReadFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil || c.pr.r.opts.Decrypt == nil {
		return data, err
	}
	out, err := c.pr.r.opts.Decrypt(data, path)
	if err != nil && err.Error() == "Attempting to decrypt but no vault secrets found" {
		// get_real_file checks for secrets before decrypting.
		abs, aerr := filepath.Abs(path)
		if aerr != nil {
			abs = path
		}
		return nil, fmt.Errorf("A vault password or secret must be specified to decrypt %s", abs)
	}
	return out, err
}

// hostVarsLoader is implemented by inventories that report errors loading
// a host's group_vars/host_vars files.
type hostVarsLoader interface {
	HostVarsErr(host string) error
}

// checkHostVars loads the inventory variables of hosts as Ansible does
// when their first task needs them; a file that cannot be loaded (a vault
// that cannot be decrypted) ends the run with exit code 4.
func (r *runner) checkHostVars(hosts []string) bool {
	hl, ok := r.inv.(hostVarsLoader)
	if !ok {
		return true
	}
	for _, h := range hosts {
		if err := hl.HostVarsErr(h); err != nil {
			r.setFatal(&codedError{err: err, code: 4})
			return false
		}
	}
	return true
}

// checkVarsFiles loads the play's vars_files with play-level variables
// before the play starts, as Ansible's PlaybookExecutor does; only an
// error decrypting a vault file is fatal here (paths that need host
// variables are loaded per host later).
func (pr *playRun) checkVarsFiles() bool {
	if len(pr.play.VarsFiles) == 0 || pr.r.opts.Decrypt == nil {
		return true
	}
	scope := pr.r.vm.Scope("", &vars.Frame{Play: pr.play, PlayVars: pr.rawPlayVars()})
	base := pr.varsFilesBase()
	for _, vf := range pr.play.VarsFiles {
		for _, c := range varsFileCandidates(vf) {
			p, err := pr.varsFilePath(c, scope, base)
			if err != nil {
				break // needs host variables: loaded per host
			}
			if _, err := os.Stat(p); err != nil {
				continue
			}
			if _, err := loadVarsFile(p, pr.r.opts.Decrypt); asVaultError(err) != nil {
				pr.r.setFatal(asVaultError(err).err)
				return false
			}
			break
		}
	}
	return true
}

// stepEnded reports whether a --step question met the end of input.
func (r *runner) stepEnded() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stepEOF
}
