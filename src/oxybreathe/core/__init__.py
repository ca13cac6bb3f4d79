"""The pure core of oxybreathe: no Textual import anywhere below this package."""
