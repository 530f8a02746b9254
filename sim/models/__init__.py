"""Language-model backends and the wrappers around them, all behind `base.LanguageModel`."""
