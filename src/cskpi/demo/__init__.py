from cskpi.demo.generator import generate, write_contract_folder, write_folder

__all__ = ["generate", "write_contract_folder", "write_folder"]
