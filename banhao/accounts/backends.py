from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrPhoneBackend(ModelBackend):
    """Accepts the account name, or for applicants the registered mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        model = get_user_model()
        user = model.objects.filter(username__iexact=username.strip()).first()
        if user is None and username.strip().isdigit():
            user = model.objects.filter(phone=username.strip(), kind=model.Kind.APPLICANT).first()
        if user is None:
            model().set_password(password)  # same work either way: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
