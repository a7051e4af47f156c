"""Print, as JSON, the argument specs of the Ansible modules named on the
command line (short names are ansible.builtin modules; dotted names are
imported as given). Each module's main() runs with AnsibleModule replaced by a
stub that records its argument_spec and stops, so nothing touches the host."""
import importlib
import json
import sys

from ansible.module_utils import basic


class _Stop(Exception):
    pass


_seen = {}


def _record(self, argument_spec, *args, **kwargs):
    spec = dict(argument_spec)
    if kwargs.get('add_file_common_args'):
        for name, opts in basic.FILE_COMMON_ARGUMENTS.items():
            spec.setdefault(name, opts)
    _seen['spec'] = spec
    raise _Stop()


def _plain(spec):
    out = {}
    for name, opts in spec.items():
        entry = {}
        for key in ('type', 'default', 'aliases', 'no_log', 'elements', 'choices'):
            if key in opts:
                val = opts[key]
                if callable(val):
                    val = getattr(val, '__name__', str(val))
                entry[key] = val
        out[name] = entry
    return out


def main():
    basic.AnsibleModule.__init__ = _record
    out = {}
    for name in sys.argv[1:]:
        _seen.clear()
        try:
            mod = importlib.import_module(name if '.' in name else 'ansible.modules.' + name)
            mod.main()
        except (_Stop, SystemExit):
            pass
        except Exception as exc:  # report, keep going
            out[name] = {'__error__': repr(exc)}
            continue
        out[name] = _plain(_seen.get('spec', {}))
    json.dump(out, sys.stdout, default=str, sort_keys=True)


main()
