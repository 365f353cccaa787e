"""The pure core: messages, intents data, matcher and dialog; imports no audio library."""
