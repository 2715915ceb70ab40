"""Study configuration: the YAML schema, overrides, and validation with clear errors."""

from femsi.config.loader import StudyConfig, load_config
from femsi.config.schema import Study

__all__ = ["Study", "StudyConfig", "load_config"]
