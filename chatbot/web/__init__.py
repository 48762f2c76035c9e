"""The patient-facing Gradio app."""
