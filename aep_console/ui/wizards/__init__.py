"""The set-up wizards (QWizard): schema, dataset, streaming connection."""
