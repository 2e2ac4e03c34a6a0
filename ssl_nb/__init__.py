__version__ = "0.1.0"

import warnings
# fastai decorates a few layers with torch.jit.script at import time, which current torch reports as deprecated.
# The message says nothing about ssl_nb or the user's code, so it is silenced here, for that one message only.
warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
