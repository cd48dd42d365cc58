"""The front door: :class:`Chipbot` ties index, embedder, retriever and generator together.

(INTERFACE — being implemented by the lead.)

```python
class Chipbot:
    @classmethod
    def from_settings(cls, settings: Settings) -> Chipbot
    def ensure_index(self, progress: Callable[[str], None] | None = None) -> None
        # builds the index from the shipped seeds when none exists
    def ask(self, question: str, *, k: int | None = None, flt: SearchFilter | None = None,
            history: Sequence[str] = (), on_token: Callable[[str], None] | None = None) -> Answer
        # raises QuestionError for empty / over-long questions (settings.max_question_chars)
    def context(self, citation: Citation, chars: int = 400) -> tuple[str, str, str]
        # (text before, the quote, text after) read from the article file; CitationError
        # when the file changed since indexing
    def warm(self) -> None   # load models and indexes now (Slack app, chat)
```
"""
