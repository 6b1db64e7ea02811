# Expected failures of a command: the code tells the engine what happened, the message tells the user.


class CommandError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
