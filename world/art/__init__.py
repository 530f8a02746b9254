"""The town's art and maps, drawn by our own code (no third-party art).

- `world.art.tileset`: every tile, drawn with pygame, packed into `town_tiles.png` + `.tsj`.
- `world.art.plan`, `world.art.mapgen`: a declarative town plan and the generator
  that turns it into a Tiled `.tmj`; `world.art.smallville` and `world.art.tiny`
  are the shipped plans (`world.art.shipped.regenerate` writes them all).
- `world.art.render`: draws a loaded town's tile layers with pygame.

`python -m world.art` redraws everything under world/maps/.
"""
