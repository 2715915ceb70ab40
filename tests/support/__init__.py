"""Helpers the tests share: closed-form references and the FE problems several tests solve."""
