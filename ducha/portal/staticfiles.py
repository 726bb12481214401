from django.contrib.staticfiles.apps import StaticFilesConfig


class PortalStaticFilesConfig(StaticFilesConfig):
    """The portal loads Bootstrap's minified CSS and its own stylesheet, and nothing else."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "*.js", "*.js.map", "*.rtl.*", "*.scss", "*.ts",
                       "bootstrap-grid*", "bootstrap-reboot*", "bootstrap-utilities*", "bootstrap.css"]
