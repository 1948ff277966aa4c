"""Everything that touches files: loaders, exporters, importers, replay files."""
