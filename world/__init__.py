"""The town: tile grid, places tree, objects, pathfinding and perception (no model, no database)."""
