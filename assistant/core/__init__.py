"""The pure core: messages, intents data, interpreter, grammars and dialog; no audio library."""
