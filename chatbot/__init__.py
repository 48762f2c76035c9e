"""Uplifted Assistant: the clinic's patient-education chatbot."""
