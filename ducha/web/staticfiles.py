from django.contrib.staticfiles.apps import StaticFilesConfig


class DuchaStaticFilesConfig(StaticFilesConfig):
    """Collect only what pages load: the packages ship source maps, right-to-left and
    alternative builds that would triple the time spent hashing and compressing."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "*.rtl.*", "*.scss", "*.ts",
        "bootstrap-grid*", "bootstrap-reboot*", "bootstrap-utilities*", "bootstrap.css.map", "bootstrap.js.map",
        "bootstrap.esm*", "bootstrap.bundle.js.map",
        "bootstrap.css", "bootstrap.js", "bootstrap.esm*", "bootstrap.min.js", "bootstrap.bundle.js",
        "htmx-4*", "htmax-*", "htmx-2.js",
    ]
