"""Answer engines: turn a question and its ranked, unflagged passages into a checked ``Answer``.

``base`` holds the ``AnswerEngine`` protocol every engine implements; ``extractive`` quotes the
passages; ``llm`` lets a chat model write the answer and checks each sentence before it is shown.
"""
