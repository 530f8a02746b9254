"""What a resident is and how it thinks: memory stream, cognition and prompts."""
