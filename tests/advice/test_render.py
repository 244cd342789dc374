"""The model's text keeps its list structure; nothing in it becomes markup."""

from webapp.advice.render import advice_blocks


def test_numbered_and_bulleted_lists_and_paragraphs():
    text = (
        "## 요약\n이번 달은 라이선스 비중이 큽니다.\n이어지는 문장.\n\n"
        "1. **라이선스** 회수\n   (약 60,000원)\n2) 유휴 서버 정리\n\n- 회선 점검\n* 백업 보존 기간\n마무리 문단"
    )
    assert advice_blocks(text) == [
        {"kind": "p", "items": ["요약"]},
        {"kind": "p", "items": ["이번 달은 라이선스 비중이 큽니다. 이어지는 문장."]},
        {"kind": "ol", "items": ["라이선스 회수 (약 60,000원)", "유휴 서버 정리"]},
        {"kind": "ul", "items": ["회선 점검", "백업 보존 기간"]},
        {"kind": "p", "items": ["마무리 문단"]},
    ]


def test_markup_stays_plain_text_for_the_template_to_escape():
    blocks = advice_blocks("1. <script>alert(1)</script>")
    assert blocks == [{"kind": "ol", "items": ["<script>alert(1)</script>"]}]


def test_empty_text_has_no_blocks():
    assert advice_blocks("") == [] and advice_blocks(" \n\n ") == []
