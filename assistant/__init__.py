"""网络交易合规助手: regulatory Q&A and guided self-assessment for 《网络交易监督管理办法》."""

__version__ = "0.1.0"
