# Lists the imports of many Python files in one interpreter, for deps/python.ts.
# It only reads and parses (ast); it never imports or runs the files it scans,
# and one bad file becomes an "error" entry, never a failed run.
#
# Protocol: one JSON object on stdin, {"root": abs source tree, "files": [rel, ...]};
# one JSON object on stdout, {"sysPath", "extensionSuffixes", "builtins",
# "stdlib", "siteDirs", "siteFiles",
# "files": {rel: {"imports": [...], "error": null | "Type: message (line N)",
#                 "digest": null | hex}}}. A rel may be absolute (a file
# outside the tree that an import reaches); digest is that of deps' hash.ts
# (sha256, 32 hex digits), null when the file could not be read.
# Stdlib only, Python 3.8+ (3.8 is the oldest ast that gives string literals as
# ast.Constant).
import os  # site already imported it at start-up; this only binds the name
import sys

# sys.path as the scanned code would see it, taken before this helper changes it.
# Running "python3 <helper>" puts the helper's own directory first (unless -P or
# PYTHONSAFEPATH says not to), and no scanned file would see that entry, so it
# is dropped: the caller adds the entry its own jobs get (script dir, cwd).
_REPORTED_PATH = list(sys.path)
# CPython resolves symlinks when it puts the script's directory first.
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    _REPORTED_PATH = _REPORTED_PATH[1:]

# The env we were given may carry a PYTHONPATH into the source tree, where a
# file named json.py or ast.py would shadow the stdlib modules this helper
# needs; put the directory os came from first while importing them.
sys.path.insert(0, os.path.dirname(os.__file__))
import ast
import hashlib
import importlib.machinery
import json
import site
import sysconfig
import warnings
del sys.path[0]


def literal_str(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def argument(call, position, keyword):
    """The call's argument by position or keyword; None when absent."""
    if len(call.args) > position:
        return call.args[position]
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def dynamic_import(call):
    """The import a literal importlib.import_module(...) or __import__(...)
    performs, or None when the call is neither or its arguments are not literals."""
    func = call.func
    if (isinstance(func, ast.Attribute) and func.attr == 'import_module'
            and isinstance(func.value, ast.Name) and func.value.id == 'importlib'):
        name = literal_str(argument(call, 0, 'name'))
        if name is None:
            return None
        level = len(name) - len(name.lstrip('.'))
        if level == 0:
            return name, [], 0
        # import_module(".rel", "pkg") is relative to the package it is given,
        # not to the calling file, so it is an absolute import of pkg.rel
        # (importlib.util.resolve_name).
        package = literal_str(argument(call, 1, 'package'))
        if not package:
            return None
        bits = package.rsplit('.', level - 1)
        if len(bits) < level:
            return None  # beyond the top-level package: ImportError at run time
        rest = name[level:]
        return (bits[0] + '.' + rest) if rest else bits[0], [], 0
    if isinstance(func, ast.Name) and func.id == '__import__':
        # __import__(name, globals, locals, fromlist, level)
        name = literal_str(argument(call, 0, 'name'))
        if name is None:
            return None
        names = []
        fromlist = argument(call, 3, 'fromlist')
        if isinstance(fromlist, (ast.List, ast.Tuple)):
            names = [s for s in map(literal_str, fromlist.elts) if s is not None]
        level = 0
        level_node = argument(call, 4, 'level')
        if level_node is not None:
            if not (isinstance(level_node, ast.Constant) and type(level_node.value) is int
                    and level_node.value >= 0):
                return None
            level = level_node.value
        return name, names, level
    return None


# What an import entry names when a pytest_plugins assignment is not a literal:
# pytest will import modules runner cannot name (python-file-deps.ts).
PYTEST_PLUGINS_UNKNOWN = '<pytest_plugins>'


def assigned_to(node, name):
    """The value an assignment gives to the plain name `name`, else None."""
    if isinstance(node, ast.Assign):
        if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return node.value
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        if isinstance(node.target, ast.Name) and node.target.id == name and node.value is not None:
            return node.value
    return None


def plugin_names(value):
    """The modules a pytest_plugins value names (pytest imports each), or
    None when it is not a string or a list or tuple of strings. A string is
    split at commas, as pytest splits it."""
    text = literal_str(value)
    if text is not None:
        return [n.strip() for n in text.split(',') if n.strip()]
    if isinstance(value, (ast.List, ast.Tuple)):
        names = []
        for elt in value.elts:
            name = literal_str(elt)
            if name is None:
                return None
            names.extend(n.strip() for n in name.split(',') if n.strip())
        return names
    return None


def imports_of(tree):
    found = []

    def add(node, module, names, level, dynamic):
        found.append(((node.lineno, node.col_offset, len(found)),
                      {'module': module, 'names': names, 'level': level,
                       'line': node.lineno, 'dynamic': dynamic}))

    # ast.walk reaches every node, so imports inside functions, try/except and
    # "if TYPE_CHECKING:" count; it is iterative, so deep nesting cannot
    # overflow the stack here.
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(node, alias.name, [], 0, False)
        elif isinstance(node, ast.ImportFrom):
            add(node, node.module or '', [a.name for a in node.names], node.level or 0, False)
        elif isinstance(node, ast.Call):
            hit = dynamic_import(node)
            if hit is not None:
                add(node, hit[0], hit[1], hit[2], True)
        else:
            # pytest imports the modules a conftest.py or test module names in
            # pytest_plugins (fixtures kept in another module): each is an import.
            value = assigned_to(node, 'pytest_plugins')
            if value is not None:
                names = plugin_names(value)
                for name in ([PYTEST_PLUGINS_UNKNOWN] if names is None else names):
                    add(node, name, [], 0, True)
    # ast.walk is breadth-first; report in source order.
    found.sort(key=lambda item: item[0])
    return [imp for _, imp in found]


def describe(err):
    if isinstance(err, SyntaxError):
        return '%s: %s (line %s)' % (type(err).__name__, err.msg, err.lineno)
    if isinstance(err, OSError) and err.strerror:
        return '%s: %s' % (type(err).__name__, err.strerror)
    return '%s: %s' % (type(err).__name__, err)


def scan_file(root, rel):
    filename = os.path.join(root, rel)
    try:
        with open(filename, 'rb') as f:
            source = f.read()
    except Exception as err:  # one bad file must not stop the scan
        return {'imports': [], 'error': describe(err), 'digest': None}
    digest = hashlib.sha256(source).hexdigest()[:32]
    try:
        # Bytes, so ast honours a PEP 263 coding line and a BOM as Python would.
        tree = ast.parse(source, filename)
        return {'imports': imports_of(tree), 'error': None, 'digest': digest}
    except Exception as err:
        return {'imports': [], 'error': describe(err), 'digest': digest}


def site_dirs():
    """Directories whose .pth files site reads at start-up (and so extend
    sys.path: editable installs), and the installation's site-packages."""
    dirs = list(site.getsitepackages()) if hasattr(site, 'getsitepackages') else []
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    for key in ('purelib', 'platlib'):
        dirs.append(sysconfig.get_paths()[key])
    out = []
    for d in dirs:
        d = os.path.abspath(d)
        if d not in out:
            out.append(d)
    return out


def site_files(dirs):
    """The site directories and their .pth files: a change to either may change sys.path."""
    out = []
    for d in dirs:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        out.append(d)
        out.extend(os.path.join(d, n) for n in names if n.endswith('.pth'))
    if sys.prefix != sys.base_prefix:
        # A venv's pyvenv.cfg decides whether the system's site-packages join sys.path.
        out.append(os.path.join(sys.prefix, 'pyvenv.cfg'))
    return out


def main():
    request = json.loads(sys.stdin.buffer.read())
    root = request['root']
    # Invalid escapes and the like are the file owner's business, not ours.
    warnings.simplefilter('ignore')
    files = {}
    for rel in request['files']:
        files[rel] = scan_file(root, rel)
    paths = sysconfig.get_paths()
    sites = site_dirs()
    answer = {
        'sysPath': [os.path.abspath(p) for p in _REPORTED_PATH],
        # The interpreter's own library: covered by its identity, not walked.
        'stdlib': sorted({os.path.abspath(paths['stdlib']), os.path.abspath(paths['platstdlib'])}),
        'siteDirs': sites,
        'siteFiles': site_files(sites),
        'extensionSuffixes': list(importlib.machinery.EXTENSION_SUFFIXES),
        'builtins': sorted(sys.builtin_module_names),
        'files': files,
    }
    # ASCII only, so the pipe's encoding cannot matter.
    sys.stdout.write(json.dumps(answer, ensure_ascii=True))
    sys.stdout.flush()


main()
