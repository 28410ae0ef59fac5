"""`manage.py makemessages`, which reads the story's Jinja2 templates (templates/**/*.jinja,
news/jinja.py) as well as Django's.

Django's own command reads templates with Django's template syntax. A `.jinja` file is read by
Jinja2's parser instead: each `_("...")` and `pgettext("...", "...")` it calls becomes one line
of Python, on the line it was found, which xgettext then reads like any other source.
"""

import os

import jinja2
from django.core.management.base import CommandError
from django.core.management.commands import makemessages
from jinja2.ext import extract_from_ast

# The translation functions news/jinja.py gives its templates, and the arguments that hold text.
_FUNCTIONS = {"_": 1, "pgettext": 2}


def as_python(source: str, *, name: str) -> str:
    """The translation calls of a Jinja2 template as Python, each on its own line."""
    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError as error:
        raise CommandError(f"{name}, line {error.lineno}: {error.message}") from error
    lines = [""] * (source.count("\n") + 1)
    for lineno, function, arguments in extract_from_ast(tree, _FUNCTIONS, babel_style=True):
        texts = arguments if isinstance(arguments, tuple) else (arguments,)
        texts = texts[: _FUNCTIONS[function]]
        if len(texts) < _FUNCTIONS[function] or not all(isinstance(t, str) for t in texts):
            raise CommandError(f"{name}, line {lineno}: {function}() needs its text written out.")
        call = f"{function}({', '.join(repr(text) for text in texts)});"
        lines[lineno - 1] += call
    return "\n".join(lines)


class BuildFile(makemessages.BuildFile):
    def preprocess(self):
        if os.path.splitext(self.translatable.file)[1] != ".jinja":
            return super().preprocess()
        with open(self.path, encoding="utf-8") as source:
            content = as_python(source.read(), name=self.path)
        with open(self.work_path, "w", encoding="utf-8") as work:
            work.write(content)


class Command(makemessages.Command):
    help = makemessages.Command.help + " Reads the Jinja2 templates (.jinja) too."
    build_file_class = BuildFile

    def handle(self, *args, **options):
        if options["domain"] == "django" and not options["extensions"]:
            options["extensions"] = ["html", "txt", "py", "jinja"]
        return super().handle(*args, **options)
