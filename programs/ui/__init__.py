"""What the surfaces share: charts.py (pain and load charts as SVG), forms.py (form parts)."""
