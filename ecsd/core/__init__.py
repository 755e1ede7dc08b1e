"""What every box of the picture uses: the clock, the typed change bus and the unit of
work. It imports nothing else of ecsd's, so that anything may import it."""
