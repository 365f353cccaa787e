"""Input adapters: the microphone and WAV replay, both listening through one capture path."""
