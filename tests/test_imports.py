"""The house's import rules, read from the source: no two feature packages import each other,
even round a longer circle, and no feature imports another feature's views (views import services
and loaders; helpers they share live in `workshop/access.py`, `workshop/forms.py` or a service)."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workshop"


def modules():
    """{dotted module name: path} of every module of the app."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("workshop", *path.relative_to(PACKAGE).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name, path, known):
    """The app's modules that module `name` imports, wherever in the file (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            first = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            targets = [first, *(f"{first}.{alias.name}" for alias in node.names)]
        else:
            continue
        yield from (target for target in targets if target in known and target != name)


def feature(module):
    """The feature package a module belongs to ("boards" for workshop.boards.events), or None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else None


def edges():
    known = modules()
    return [(name, target) for name, path in known.items() for target in imports(name, path, known)]


def circles(graph):
    """The strongly connected groups of more than one feature (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in graph.get(node, ()):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_between_features():
    graph = {}
    for source, target in edges():
        if feature(source) and feature(target) and feature(source) != feature(target):
            graph.setdefault(feature(source), set()).add(feature(target))
    assert circles(graph) == []


def test_no_feature_imports_another_features_views():
    crossing = [f"{source} -> {target}" for source, target in edges()
                if target.endswith(".views") and feature(source) and feature(source) != feature(target)]
    assert crossing == []


def test_the_rule_sees_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
